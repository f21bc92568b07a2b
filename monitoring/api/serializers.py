from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import StrictSerializer

from ..models import (
    EXERCISE_KEY,
    Alert,
    AlertStatus,
    IngestToken,
    Mention,
    Source,
    SourceKind,
    Tone,
    ToneWord,
    Watchlist,
)


class MentionSerializer(serializers.ModelSerializer):
    source_name = serializers.CharField(source="source.name", read_only=True)
    url = serializers.CharField(source="safe_url", read_only=True, help_text="Only http(s) addresses; empty otherwise.")
    matched = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), read_only=True)

    class Meta:
        model = Mention
        fields = [
            "id",
            "source",
            "source_name",
            "external_id",
            "author_handle",
            "author_name",
            "author_reach",
            "text",
            "language",
            "url",
            "published_at",
            "received_at",
            "likes",
            "shares",
            "replies",
            "tone",
            "matched",
        ]


class MentionFilterSerializer(serializers.Serializer):
    watchlist = serializers.IntegerField(required=False, min_value=1)
    tone = serializers.ChoiceField(choices=Tone.choices, required=False)
    source = serializers.IntegerField(required=False, min_value=1)
    author = serializers.CharField(required=False, max_length=200)
    min_reach = serializers.IntegerField(required=False, min_value=0)
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)
    language = serializers.CharField(required=False, max_length=8)
    q = serializers.CharField(required=False, max_length=200, help_text="Full-text search (French and English).")


class WatchlistSerializer(StrictSerializer, serializers.ModelSerializer):
    languages = serializers.ListField(child=serializers.CharField(max_length=8), required=False, max_length=20)
    watching = serializers.SerializerMethodField()

    class Meta:
        model = Watchlist
        fields = [
            "id",
            "cell",
            "name",
            "terms",
            "exclusions",
            "languages",
            "version",
            "is_active",
            "window_minutes",
            "baseline_days",
            "spike_factor",
            "spike_min_count",
            "negative_jump",
            "reach_threshold",
            "watching",
            "created_at",
        ]
        read_only_fields = ["cell", "version", "created_at"]
        # The bounds services._check_watchlist enforces, stated in the schema too.
        extra_kwargs = {
            "window_minutes": {"min_value": 1, "max_value": 24 * 60},
            "baseline_days": {"min_value": 1, "max_value": 28},
            "spike_factor": {"min_value": 1},
            "negative_jump": {"min_value": 0.01, "max_value": 1},
        }

    def get_watching(self, watchlist) -> bool:
        return watchlist.pk in self.context.get("watched", ())


class WatchSerializer(StrictSerializer):
    watching = serializers.BooleanField()


class VolumePointSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    count = serializers.IntegerField()
    negative = serializers.IntegerField()


class VolumeQuerySerializer(serializers.Serializer):
    hours = serializers.IntegerField(required=False, min_value=1, max_value=24 * 28, default=24)
    bucket_minutes = serializers.IntegerField(required=False, min_value=1, max_value=24 * 60, default=15)


class AlertSerializer(serializers.ModelSerializer):
    watchlist_name = serializers.CharField(source="watchlist.name", read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "cell",
            "watchlist",
            "watchlist_name",
            "cause",
            "status",
            "opened_at",
            "evidence",
            "incident",
            "closed_by",
            "closed_at",
            "dismiss_reason",
        ]


class AlertFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=AlertStatus.choices, required=False)


class DismissSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=500)


class EscalateSerializer(StrictSerializer):
    level = serializers.ChoiceField(choices=[("watch", "watch"), ("alert", "alert")], required=False, default="watch")
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    incident = serializers.IntegerField(required=False, min_value=1, help_text="Attach to this open incident instead.")


class EscalatedSerializer(serializers.Serializer):
    incident = serializers.IntegerField()
    url = serializers.CharField()


@extend_schema_field({"type": "object", "additionalProperties": True})
class SourceConfigField(serializers.JSONField):
    """A JSON object (the connector's settings): the schema says so, so a client never sends null."""


class SourceSerializer(StrictSerializer, serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=SourceKind.choices)
    config = SourceConfigField(required=False)
    last_error = serializers.CharField(
        source="last_error_text", read_only=True, help_text="In the request's language (Accept-Language)."
    )

    class Meta:
        model = Source
        fields = [
            "id",
            "cell",
            "kind",
            "name",
            "url",
            "config",
            "is_active",
            "poll_interval_seconds",
            "next_poll_at",
            "failures",
            "last_success_at",
            "last_error_at",
            "last_error",
            "created_at",
        ]
        read_only_fields = [
            "cell",
            "next_poll_at",
            "failures",
            "last_success_at",
            "last_error_at",
            "last_error",
            "created_at",
        ]

    def validate_config(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError(_("Give the settings as a JSON object, e.g. {}."))
        if EXERCISE_KEY in value:
            # Reserved for the drills' synthetic sources: their mentions are left out of every figure.
            raise serializers.ValidationError(_("“%(key)s” is reserved for drills.") % {"key": EXERCISE_KEY})
        return value


class IngestTokenSerializer(StrictSerializer, serializers.ModelSerializer):
    key = serializers.SerializerMethodField(help_text="Shown once, in the answer that creates the token.")

    class Meta:
        model = IngestToken
        fields = ["id", "source", "name", "created_at", "last_used_at", "revoked_at", "key"]
        read_only_fields = ["created_at", "last_used_at", "revoked_at"]

    def get_key(self, token) -> str:
        return self.context.get("keys", {}).get(token.pk, "")


class BatchErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    code = serializers.CharField(help_text="Stable: missing, type, too_long, datetime, future, ...")
    reason = serializers.CharField(help_text="For people, in the request's language (Accept-Language).")


class BatchResultSerializer(serializers.Serializer):
    accepted = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    errors = BatchErrorSerializer(many=True)


class ToneWordSerializer(StrictSerializer, serializers.ModelSerializer):
    polarity = serializers.ChoiceField(choices=[(-1, "negative"), (1, "positive")])

    class Meta:
        model = ToneWord
        fields = ["id", "word", "polarity"]
