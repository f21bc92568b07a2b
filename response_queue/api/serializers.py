from rest_framework import serializers

from core.api.serializers import StrictSerializer

from ..models import ClaimMention, ItemState, QueueItem, QueueRule, RuleKind, SlaPolicy, WaitingMention, WaitingState


class MentionBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author_handle = serializers.CharField()
    author_name = serializers.CharField()
    author_reach = serializers.IntegerField()
    text = serializers.CharField()
    url = serializers.CharField(source="safe_url")
    published_at = serializers.DateTimeField()
    tone = serializers.IntegerField()


class QueueItemSerializer(serializers.ModelSerializer):
    mention = MentionBriefSerializer(read_only=True)
    state = serializers.ChoiceField(choices=ItemState.choices, read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = QueueItem
        fields = [
            "id",
            "incident",
            "mention",
            "rule",
            "flagged_by",
            "state",
            "revision",
            "assignee",
            "assigned_at",
            "created_at",
            "due_at",
            "overdue",
            "done_at",
            "done_by",
            "reason",
            "reply_text",
            "reply_channel",
            "reply_url",
            "template",
            "duplicate_of",
        ]

    def get_overdue(self, item) -> bool:
        return item.is_open and item.due_at < self.context["now"]


class FlagSerializer(StrictSerializer):
    mention = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class AnswerSerializer(StrictSerializer):
    template = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    text = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    ticket = serializers.CharField(max_length=60, required=False, allow_blank=True)
    channel = serializers.CharField(max_length=120, required=False, allow_blank=True)
    url = serializers.URLField(max_length=1000, required=False, allow_blank=True)


class ReasonSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=2000)


class AssignSerializer(StrictSerializer):
    assignee = serializers.IntegerField(min_value=1)


class DuplicatesSerializer(StrictSerializer):
    items = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=500)


class SuggestionSerializer(serializers.Serializer):
    item = QueueItemSerializer()
    score = serializers.IntegerField()


class BulkSerializer(StrictSerializer):
    items = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=500)
    action = serializers.ChoiceField(choices=[("answer", "answer"), ("no_reply", "no_reply")])
    template = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    ticket = serializers.CharField(max_length=60, required=False, allow_blank=True)
    channel = serializers.CharField(max_length=120, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class BulkResultSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    ok = serializers.BooleanField()
    error = serializers.CharField(required=False)


class BulkReportSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    results = BulkResultSerializer(many=True)


class AgeBucketSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField()


class HourSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    entered = serializers.IntegerField(source="in")
    answered = serializers.IntegerField()
    median = serializers.FloatField(allow_null=True)


class MetricsSerializer(serializers.Serializer):
    by_state = serializers.DictField(child=serializers.IntegerField())
    open = serializers.IntegerField()
    overdue = serializers.IntegerField()
    ages = AgeBucketSerializer(many=True)
    first_response_median = serializers.FloatField(allow_null=True, help_text="minutes from the mention's publication")
    first_response_p90 = serializers.FloatField(allow_null=True, help_text="minutes from the mention's publication")
    answered = serializers.IntegerField()
    within_sla = serializers.FloatField(allow_null=True, help_text="percent of the items due or done")
    hourly = HourSerializer(many=True)


class RuleSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=RuleKind.choices)

    class Meta:
        model = QueueRule
        fields = ["id", "cell", "name", "kind", "terms", "min_reach", "is_active", "created_at"]
        read_only_fields = ["cell", "created_at"]


class RuleWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=RuleKind.choices)
    terms = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    min_reach = serializers.IntegerField(min_value=1, max_value=10**12, required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)


class SlaSerializer(serializers.ModelSerializer):
    class Meta:
        model = SlaPolicy
        fields = ["crisis_minutes", "alert_minutes", "recovery_minutes", "watch_working_days"]


class SlaWriteSerializer(StrictSerializer):
    crisis_minutes = serializers.IntegerField(min_value=1, max_value=10080, required=False)
    alert_minutes = serializers.IntegerField(min_value=1, max_value=10080, required=False)
    recovery_minutes = serializers.IntegerField(min_value=1, max_value=10080, required=False)
    watch_working_days = serializers.IntegerField(min_value=1, max_value=20, required=False)


class ClaimMentionSerializer(serializers.ModelSerializer):
    mention = MentionBriefSerializer(read_only=True)

    class Meta:
        model = ClaimMention
        fields = ["id", "claim", "mention", "source", "linked_by", "linked_at"]


class ClaimLinkSerializer(StrictSerializer):
    mention = serializers.IntegerField(min_value=1)
    source = serializers.ChoiceField(choices=[("hand", "hand"), ("suggestion", "suggestion")], required=False)


class WaitingSerializer(serializers.ModelSerializer):
    """A mention the rules matched while the cell had no open incident."""

    mention = MentionBriefSerializer(read_only=True)
    state = serializers.ChoiceField(choices=WaitingState.choices, read_only=True)
    rule_name = serializers.CharField(source="rule.name", read_only=True, allow_null=True, default=None)
    incident = serializers.IntegerField(source="item.incident_id", read_only=True, allow_null=True, default=None)

    class Meta:
        model = WaitingMention
        fields = [
            "id",
            "mention",
            "rule",
            "rule_name",
            "matched_at",
            "state",
            "item",
            "incident",
            "decided_by",
            "decided_at",
            "reason",
        ]
        read_only_fields = fields


class WaitingQueueSerializer(StrictSerializer):
    incident = serializers.IntegerField(min_value=1, help_text="an open incident of the cell")
