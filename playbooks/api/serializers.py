from rest_framework import serializers

from accounts.models import User
from core.api.serializers import StrictSerializer

from ..models import Acknowledgement, Activation, Playbook, PlaybookVersion, Preparedness, RotaSlot, Task, TaskStatus
from ..schema import PLAYBOOK_LEVELS


class TaskSerializer(serializers.ModelSerializer):
    assignee_name = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "incident",
            "level",
            "position",
            "title",
            "description",
            "assignee",
            "assignee_name",
            "role",
            "due_at",
            "overdue",
            "status",
            "revision",
            "created_at",
            "updated_at",
            "finished_at",
            "finished_by",
        ]
        read_only_fields = fields

    def get_assignee_name(self, task) -> str:
        return task.assignee.get_full_name() or task.assignee.username if task.assignee else ""

    def get_overdue(self, task) -> bool:
        return task.overdue()


class TaskWriteSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    assignee = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), allow_null=True, required=False)
    due_at = serializers.DateTimeField(allow_null=True, required=False)


class TaskPatchSerializer(TaskWriteSerializer):
    title = serializers.CharField(max_length=200, required=False)
    revision = serializers.IntegerField(
        min_value=1, required=False, help_text="The revision you saw: a 409 if someone changed it since."
    )


class TaskMoveSerializer(StrictSerializer):
    to = serializers.ChoiceField(choices=TaskStatus.choices)
    expected_status = serializers.ChoiceField(
        choices=TaskStatus.choices, required=False, help_text="The status you saw: a 409 if it changed since."
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ApplyLevelSerializer(StrictSerializer):
    level = serializers.ChoiceField(choices=[(level.value, level.label) for level in PLAYBOOK_LEVELS])
    again = serializers.BooleanField(
        required=False, default=False, help_text="Create the level's tasks and drafts a further time."
    )


class PlaybookVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlaybookVersion
        fields = ["id", "number", "content", "note", "created_by", "created_at"]
        read_only_fields = fields


class PlaybookSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField()

    class Meta:
        model = Playbook
        fields = ["id", "cell", "crisis_type", "name", "version_count", "current", "created_at"]
        read_only_fields = fields

    def get_current(self, playbook) -> dict | None:
        # The viewsets prefetch every version, newest first, as `all_versions`.
        versions = getattr(playbook, "all_versions", None)
        version = versions[0] if versions else (None if versions is not None else playbook.versions.first())
        return PlaybookVersionSerializer(version).data if version else None


class PlaybookWriteSerializer(StrictSerializer):
    content = serializers.DictField(
        help_text="The playbook: {crisis_type, name, levels: {alert: {tasks: [...], statements: [...]}}}."
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class PlaybookImportSerializer(StrictSerializer):
    yaml = serializers.CharField(
        max_length=60_000, trim_whitespace=False, help_text="The YAML file's text (as exported)."
    )


class AcknowledgementSerializer(serializers.ModelSerializer):
    user_name = serializers.SerializerMethodField()

    class Meta:
        model = Acknowledgement
        fields = ["id", "user", "user_name", "status", "note", "answered_at", "misses"]
        read_only_fields = fields

    def get_user_name(self, ack) -> str:
        return ack.user.get_full_name() or ack.user.username


class ActivationSerializer(serializers.ModelSerializer):
    acks = AcknowledgementSerializer(many=True, read_only=True)

    class Meta:
        model = Activation
        fields = ["id", "incident", "level", "manual", "message", "started_by", "created_at", "acks"]
        read_only_fields = fields


class ActivateSerializer(StrictSerializer):
    message = serializers.CharField(max_length=2000, help_text="Why the cell is called in: every member reads it.")


class AcknowledgeSerializer(StrictSerializer):
    answer = serializers.ChoiceField(choices=[("on_it", "I'm on it"), ("unavailable", "Unavailable")])
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class RotaSlotSerializer(StrictSerializer, serializers.ModelSerializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())

    class Meta:
        model = RotaSlot
        fields = ["id", "user", "starts_at", "ends_at", "created_at"]
        read_only_fields = ["created_at"]


class PreparednessSerializer(StrictSerializer, serializers.ModelSerializer):
    class Meta:
        model = Preparedness
        fields = ["activation_level", "ack_remind_minutes", "task_remind_minutes", "escalate_after", "digest_hours"]
        extra_kwargs = {name: {"min_value": 1, "max_value": 10080} for name in fields[1:]}
