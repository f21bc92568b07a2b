from rest_framework import serializers

from core.api.serializers import StrictSerializer

from ..models import Reminder
from ..services import MAX_SNOOZE_MINUTES


class ReminderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reminder
        fields = [
            "id",
            "kind",
            "incident",
            "statement",
            "version",
            "claim",
            "status",
            "next_due_at",
            "misses",
            "last_sent_at",
            "snoozed_by",
            "snoozed_at",
            "snooze_reason",
            "created_at",
            "done_at",
        ]
        read_only_fields = fields


class SnoozeSerializer(StrictSerializer):
    minutes = serializers.IntegerField(min_value=1, max_value=MAX_SNOOZE_MINUTES)
    reason = serializers.CharField(max_length=1000, help_text="Why it can wait; kept in the crisis log.")


class CommsSettingsSerializer(StrictSerializer):
    """A cell's communication settings (all optional on PATCH)."""

    verifier_must_differ = serializers.BooleanField(
        required=False, help_text="Four-eyes on facts: the creator of a fact cannot verify it."
    )
    crisis_minutes = serializers.IntegerField(
        min_value=1, required=False, help_text="Holding statement review, crisis."
    )
    alert_minutes = serializers.IntegerField(min_value=1, required=False, help_text="... at alert.")
    watch_minutes = serializers.IntegerField(min_value=1, required=False, help_text="... at watch.")
    recovery_minutes = serializers.IntegerField(min_value=1, required=False, help_text="... at recovery.")
    repeat_minutes = serializers.IntegerField(min_value=1, required=False, help_text="Reminders repeat this often.")
    escalate_after = serializers.IntegerField(
        min_value=1, required=False, help_text="Missed reminders before all managers are told."
    )
    review_wait_minutes = serializers.IntegerField(
        min_value=1, required=False, help_text="Remind managers of a version in review after this long."
    )
    claim_unanswered_minutes = serializers.IntegerField(
        min_value=1, required=False, help_text="Flag a claim circulating unanswered after this long."
    )
