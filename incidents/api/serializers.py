from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cells.access import cells_for_user
from cells.models import Cell
from core.api.serializers import FieldsOnce, StrictSerializer

from .. import log_kinds, selectors, workflow
from ..models import Incident, Level, LogCategory, LogEntry, LogVerification


class IncidentSerializer(FieldsOnce, StrictSerializer, serializers.ModelSerializer):
    cell = serializers.PrimaryKeyRelatedField(queryset=Cell.objects.none())
    # Limited to people who share a cell with the requester: an id from
    # elsewhere reads as "does not exist". The service checks the exact cell.
    owner = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.none(), allow_null=True, required=False
    )
    allowed_transitions = serializers.SerializerMethodField(
        help_text="Levels the requesting user may move this incident to now."
    )
    redirected_fields = {
        "level": _("The level changes only through POST /api/v1/incidents/{id}/transition/ with a reason."),
    }

    class Meta:
        model = Incident
        fields = [
            "id",
            "cell",
            "title",
            "description",
            "crisis_type",
            "severity",
            "level",
            "level_changed_at",
            "owner",
            "is_exercise",
            "created_at",
            "updated_at",
            "allowed_transitions",
        ]
        read_only_fields = ["level", "level_changed_at", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        # Only input is checked against these querysets: reads and answers do not build
        # them (a `.distinct()` join each), which was a tenth of a list's time.
        if request is not None and hasattr(self, "initial_data"):
            self.fields["cell"].queryset = cells_for_user(request.user)
            self.fields["owner"].queryset = (
                get_user_model().objects.filter(memberships__cell__in=cells_for_user(request.user)).distinct()
            )
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            # The cell of an incident never changes.
            self.fields["cell"].read_only = True
            self.redirected_fields = {**self.redirected_fields, "cell": _("An incident cannot move to another cell.")}

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=Level.choices)))
    def get_allowed_transitions(self, incident) -> list[str]:
        # The selectors join the user's role onto the incident (`viewer_role`); one that
        # was not read through them (just created or saved) needs the memberships, once.
        role = getattr(incident, "viewer_role", None)
        if role is None:
            if "roles_by_cell" not in self.context:
                request = self.context.get("request")
                user = request.user if request is not None else None
                self.context["roles_by_cell"] = selectors.roles_by_cell(user) if user is not None else {}
            role = self.context["roles_by_cell"].get(incident.cell_id)
        return [str(level) for level in workflow.targets_for_role(incident.level, role)] if role else []


class TransitionSerializer(StrictSerializer):
    to = serializers.ChoiceField(choices=Level.choices, help_text="The level to move to.")
    reason = serializers.CharField(max_length=2000, help_text="Why: kept forever in the crisis log.")
    expected_level = serializers.ChoiceField(
        choices=Level.choices,
        required=False,
        help_text="The level you saw. If the incident moved meanwhile, you get 409 instead of acting on a stale view.",
    )
    force_reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text=(
            "Closing while statements, claims or reminders are still open is refused with 409 and the list "
            "(`current.open`); give this reason to close anyway. It is kept in the crisis log with what was open."
        ),
    )


class LogEntrySerializer(FieldsOnce, StrictSerializer, serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()
    # Automatic entries have no category (""): the schema says so (BlankEnum), and "" sent
    # with a new entry means the default, information.
    category = serializers.ChoiceField(choices=LogCategory.choices, default=LogCategory.INFORMATION, allow_blank=True)
    text = serializers.CharField(max_length=5000)
    corrects = serializers.PrimaryKeyRelatedField(queryset=LogEntry.objects.none(), required=False, allow_null=True)

    class Meta:
        model = LogEntry
        fields = [
            "id",
            "incident",
            "seq",
            "kind",
            "category",
            "text",
            "source_url",
            "corrects",
            "actor",
            "actor_name",
            "data",
            "created_at",
            "hash",
        ]
        read_only_fields = ["incident", "seq", "kind", "actor", "data", "created_at", "hash"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        incident = self.context.get("incident")
        if incident is not None and hasattr(self, "initial_data"):  # input only, as above
            self.fields["corrects"].queryset = LogEntry.objects.filter(incident=incident)

    def get_fields(self):
        fields = super().get_fields()
        # The kinds the apps registered (incidents.log_kinds), read when the serializer is
        # used (after every AppConfig.ready), so that the schema states them as an enum.
        fields["kind"] = serializers.ChoiceField(choices=log_kinds.choices(), read_only=True)
        return fields

    def validate_category(self, value: str) -> str:
        return value or LogCategory.INFORMATION

    def get_actor_name(self, entry) -> str:
        return str(entry.actor) if entry.actor else ""


class LogVerificationSerializer(FieldsOnce, serializers.ModelSerializer):
    """One verification of the crisis log: who asked, when, progress, and the verdict."""

    id = serializers.IntegerField(read_only=True, allow_null=True, help_text="null while never verified.")
    requested_at = serializers.DateTimeField(read_only=True, allow_null=True)
    requested_by_name = serializers.SerializerMethodField()
    first_broken = serializers.IntegerField(
        source="first_broken_entry",
        allow_null=True,
        help_text="Id of the first stored entry that fails; null when valid, or when entries are missing at the end.",
    )
    first_broken_seq = serializers.IntegerField(
        allow_null=True, help_text="Position (seq) where the log breaks, also when entries are missing."
    )
    valid = serializers.BooleanField(allow_null=True, help_text="null until the verification is done.")
    checked = serializers.IntegerField(help_text="Entries read so far (the progress), then before the verdict.")
    problem = serializers.SerializerMethodField(help_text="What is wrong, in English; empty when valid.")
    covered_seq = serializers.IntegerField(
        help_text="Entries 1 to covered_seq are covered by a signed checkpoint kept outside the database."
    )
    uncovered = serializers.IntegerField(read_only=True, help_text="Later entries, not covered yet.")

    class Meta:
        model = LogVerification
        fields = [
            "id",
            "incident",
            "status",
            "requested_by",
            "requested_by_name",
            "requested_at",
            "started_at",
            "finished_at",
            "total",
            "checked",
            "valid",
            "first_broken",
            "first_broken_seq",
            "problem",
            "covered_seq",
            "checkpoint_at",
            "uncovered",
        ]
        read_only_fields = fields

    def get_requested_by_name(self, verification) -> str:
        return str(verification.requested_by) if verification.requested_by else ""

    def get_problem(self, verification) -> str:
        with translation.override("en"):
            return verification.problem_text()
