from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import FieldsOnce, StrictSerializer
from core.validators import language_validator
from facts.models import FactStatus

from .. import selectors
from ..models import STANDING_STATUSES, Audience, CitedFact, Statement, StatementKind, StatementVersion, VersionStatus

ACTIONS = ["submit", "approve", "reject", "publish", "withdraw", "edit"]


class VersionSummarySerializer(FieldsOnce, serializers.ModelSerializer):
    # Empty until published: a string, not a "uri" that "" would break.
    published_url = serializers.CharField(read_only=True, help_text="Where it was published; empty until then.")

    class Meta:
        model = StatementVersion
        fields = ["number", "status", "published_at", "channel", "published_url"]
        read_only_fields = fields


class StatementSerializer(FieldsOnce, serializers.ModelSerializer):
    latest_version = serializers.SerializerMethodField()
    published_version = serializers.SerializerMethodField()

    class Meta:
        model = Statement
        fields = [
            "id",
            "incident",
            "kind",
            "audience",
            "language",
            "title",
            "answers",
            "needs_review",
            "needs_review_since",
            "needs_review_facts",
            "review_due_at",
            "latest_version",
            "published_version",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(VersionSummarySerializer)
    def get_latest_version(self, statement):
        version = selectors.latest(statement.versions.all())
        return VersionSummarySerializer(version).data if version else None

    @extend_schema_field(VersionSummarySerializer(allow_null=True))
    def get_published_version(self, statement):
        version = selectors.published(statement.versions.all())
        return VersionSummarySerializer(version).data if version else None


class StatementCreateSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=StatementKind.choices)
    audience = serializers.ChoiceField(choices=Audience.choices)
    language = serializers.CharField(
        max_length=16, default="fr", validators=[language_validator], help_text="A language code: fr, en, pt-BR..."
    )
    title = serializers.CharField(max_length=200)
    text = serializers.CharField(max_length=10000, help_text="The text of version 1 (a draft).")
    cited_facts = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, help_text="Fact ids it rests on."
    )
    answers = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, help_text="Claim ids it answers."
    )


class StatementUpdateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200, required=False)
    answers = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False)
    redirected_fields = {
        "text": "The text changes through PATCH .../versions/{number}/ (with If-Match).",
        "kind": "The kind of a statement is fixed; start a new statement.",
        "audience": "The audience of a statement is fixed; start a new statement.",
        "language": "The language of a statement is fixed; start a new statement.",
    }


class CitedFactSerializer(FieldsOnce, serializers.ModelSerializer):
    id = serializers.IntegerField(source="fact.id", read_only=True)
    text = serializers.CharField(source="fact.text", read_only=True)
    status = serializers.ChoiceField(source="fact.status", choices=FactStatus.choices, read_only=True)

    class Meta:
        model = CitedFact
        fields = ["id", "text", "status", "fact_version"]
        read_only_fields = fields


class VersionSerializer(FieldsOnce, serializers.ModelSerializer):
    published_url = serializers.CharField(read_only=True, help_text="Where it was published; empty until then.")
    cited_facts = CitedFactSerializer(source="citations", many=True, read_only=True)
    authors = serializers.SerializerMethodField(help_text="Everyone who wrote into this version (none may approve it).")
    etag = serializers.CharField(read_only=True)
    copy_text = serializers.SerializerMethodField(
        help_text="The text exactly as approved, ready to paste; null until the version is approved."
    )
    allowed_actions = serializers.SerializerMethodField(help_text="What you may do with this version now.")

    class Meta:
        model = StatementVersion
        fields = [
            "statement",
            "number",
            "status",
            "text",
            "text_sha256",
            "copy_text",
            "based_on",
            "cited_facts",
            "authors",
            "etag",
            "allowed_actions",
            "created_by",
            "created_at",
            "updated_at",
            "submitted_by",
            "submitted_at",
            "decided_by",
            "decided_at",
            "comment",
            "published_by",
            "published_at",
            "channel",
            "published_url",
            "ended_by",
            "ended_at",
            "end_reason",
        ]
        read_only_fields = fields

    def get_authors(self, version) -> list[int]:
        return sorted(user.pk for user in version.authors.all())

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_copy_text(self, version):
        standing = version.status in STANDING_STATUSES or version.status == VersionStatus.SUPERSEDED
        return version.text if standing and version.text_intact else None

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=ACTIONS)))
    def get_allowed_actions(self, version) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return selectors.allowed_actions(version, self.context.get("membership"), request.user)


class VersionEditSerializer(StrictSerializer):
    text = serializers.CharField(max_length=10000, required=False)
    cited_facts = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if not attrs:
            raise serializers.ValidationError({"text": "Send the new text, the cited facts, or both."})
        return attrs


class RejectSerializer(StrictSerializer):
    comment = serializers.CharField(max_length=2000, help_text="What must change; the author reads it.")


class PublishSerializer(StrictSerializer):
    channel = serializers.CharField(max_length=120, help_text="Where it goes out: website, X, press list...")
    url = serializers.URLField(max_length=1000, required=False, allow_blank=True, default="")


class WithdrawSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=2000)


class ReviewDueSerializer(StrictSerializer):
    review_due_at = serializers.DateTimeField(help_text="The new review deadline (in the future).")
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
