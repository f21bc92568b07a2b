from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import FieldsOnce, StrictSerializer

from .. import claims, selectors
from ..models import (
    Claim,
    ClaimFact,
    ClaimRelation,
    ClaimStatus,
    Fact,
    FactSource,
    FactStatus,
    FactVersion,
    SourceKind,
)


class FactSourceSerializer(FieldsOnce, StrictSerializer, serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=SourceKind.choices)
    reference = serializers.CharField(max_length=1000, help_text="A URL for web pages; else a document, person, team.")
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")

    class Meta:
        model = FactSource
        fields = ["id", "kind", "reference", "note", "added_by", "added_at"]
        read_only_fields = ["added_by", "added_at"]


class FactSerializer(FieldsOnce, serializers.ModelSerializer):
    sources = FactSourceSerializer(many=True, read_only=True)
    etag = serializers.CharField(read_only=True, help_text="Send it back in If-Match to edit the fact.")

    class Meta:
        model = Fact
        fields = [
            "id",
            "incident",
            "text",
            "status",
            "version",
            "etag",
            "sources",
            "created_by",
            "created_at",
            "updated_at",
            "verified_by",
            "verified_at",
            "closed_by",
            "closed_at",
            "reason",
        ]
        read_only_fields = fields


class FactCreateSerializer(StrictSerializer):
    text = serializers.CharField(max_length=2000)
    sources = FactSourceSerializer(many=True, help_text="At least one: where does this come from?")


class FactEditSerializer(StrictSerializer):
    text = serializers.CharField(max_length=2000)
    note = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text="What changed."
    )


class RefuteSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RetractSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=2000, help_text="The new evidence; kept in the crisis log.")


class FactVersionSerializer(FieldsOnce, serializers.ModelSerializer):
    class Meta:
        model = FactVersion
        fields = ["number", "text", "note", "created_by", "created_at"]
        read_only_fields = fields


class DiffQuerySerializer(StrictSerializer):
    # "from" is a Python keyword: the query parameters are `from` and `to`.
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = serializers.IntegerField(min_value=1, help_text="The older version number.")
        self.fields["to"] = serializers.IntegerField(min_value=1, help_text="The newer version number.")


class DiffLineSerializer(serializers.Serializer):
    op = serializers.ChoiceField(choices=["equal", "insert", "delete"])
    text = serializers.CharField()


class DiffSerializer(serializers.Serializer):
    from_version = serializers.IntegerField()
    to_version = serializers.IntegerField()
    lines = DiffLineSerializer(many=True)
    unified = serializers.CharField(help_text="The same diff in unified format.")


class ClaimFactSerializer(FieldsOnce, serializers.ModelSerializer):
    fact_text = serializers.CharField(source="fact.text", read_only=True)
    fact_status = serializers.ChoiceField(source="fact.status", choices=FactStatus.choices, read_only=True)

    class Meta:
        model = ClaimFact
        fields = ["fact", "relation", "fact_text", "fact_status", "added_by", "added_at"]
        read_only_fields = fields


class ClaimSerializer(FieldsOnce, StrictSerializer, serializers.ModelSerializer):
    """Read, create (text required) and edit a claim. Its status changes through /transition/."""

    facts = ClaimFactSerializer(source="fact_links", many=True, read_only=True)
    is_open = serializers.BooleanField(read_only=True)
    age_seconds = serializers.SerializerMethodField(help_text="How long it has been (or was) circulating.")
    overdue = serializers.SerializerMethodField(
        help_text="Circulating without a published answer for longer than the cell allows."
    )
    answered_by = serializers.SerializerMethodField(help_text="Statements linked as answering it.")
    published_answers = serializers.SerializerMethodField(help_text="Those of them that are published.")
    allowed_transitions = serializers.SerializerMethodField(help_text="Statuses you may move it to now.")
    redirected_fields = {"status": "The status changes only through POST .../claims/{id}/transition/."}

    class Meta:
        model = Claim
        fields = [
            "id",
            "incident",
            "text",
            "first_seen_at",
            "where",
            "url",
            "estimated_reach",
            "language",
            "status",
            "status_note",
            "status_changed_at",
            "status_changed_by",
            "is_open",
            "age_seconds",
            "overdue",
            "facts",
            "answered_by",
            "published_answers",
            "allowed_transitions",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "incident",
            "status",
            "status_note",
            "status_changed_at",
            "status_changed_by",
            "created_by",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"first_seen_at": {"required": False}}

    def get_age_seconds(self, claim) -> int:
        return int(selectors.claim_age(claim).total_seconds())

    def get_overdue(self, claim) -> bool:
        limit = self.context.get("claim_unanswered_after")
        return limit is not None and selectors.claim_overdue(claim, limit)

    def get_answered_by(self, claim) -> list[int]:
        return [s.pk for s in getattr(claim, "all_answers", claim.answered_by.all())]

    def get_published_answers(self, claim) -> list[int]:
        return [s.pk for s in getattr(claim, "published_answers", [])]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=ClaimStatus.choices)))
    def get_allowed_transitions(self, claim) -> list[str]:
        membership = self.context.get("membership")
        if membership is None:
            return []
        return [str(s) for s in claims.STATUSES.targets_allowed(claim.status, membership.has_role)]


class ClaimTransitionSerializer(StrictSerializer):
    to = serializers.ChoiceField(choices=ClaimStatus.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    expected_status = serializers.ChoiceField(
        choices=ClaimStatus.choices,
        required=False,
        help_text="The status you saw; if it changed meanwhile you get 409 instead of acting on a stale view.",
    )


class ClaimFactLinkSerializer(StrictSerializer):
    fact = serializers.IntegerField(min_value=1, help_text="A fact of the same incident.")
    relation = serializers.ChoiceField(choices=ClaimRelation.choices)
