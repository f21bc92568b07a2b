from rest_framework import serializers

from core.api.serializers import StrictSerializer

from ..models import Answer, Briefing, BriefingDelivery, Consent, DistributionList, Relay, RelayKind


class HandleSerializer(StrictSerializer):
    network = serializers.CharField(max_length=40)
    handle = serializers.CharField(max_length=201)


class RelaySerializer(serializers.ModelSerializer):
    handles = serializers.SerializerMethodField()
    contactable = serializers.BooleanField(read_only=True)

    class Meta:
        model = Relay
        fields = [
            "id",
            "cell",
            "name",
            "organisation",
            "kind",
            "email",
            "handles",
            "languages",
            "topics",
            "reach",
            "consent",
            "consent_how",
            "consent_at",
            "notes",
            "contactable",
            "email_bounced_at",
            "erased_at",
            "created_at",
            "updated_at",
        ]

    def get_handles(self, relay) -> list[dict]:
        return [{"network": h.network, "handle": h.handle} for h in relay.handles.all()]


class RelayWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    organisation = serializers.CharField(max_length=200, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=RelayKind.choices)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    handles = HandleSerializer(many=True, required=False, max_length=20)
    languages = serializers.ListField(child=serializers.CharField(max_length=60), required=False, max_length=30)
    topics = serializers.ListField(child=serializers.CharField(max_length=60), required=False, max_length=30)
    reach = serializers.IntegerField(min_value=0, max_value=10**12, required=False, allow_null=True)
    consent = serializers.ChoiceField(choices=Consent.choices, required=False)
    consent_how = serializers.CharField(max_length=300, required=False, allow_blank=True)
    consent_at = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ListSerializer(serializers.ModelSerializer):
    relays = serializers.SerializerMethodField()

    class Meta:
        model = DistributionList
        fields = ["id", "cell", "name", "description", "relays", "created_at"]

    def get_relays(self, item) -> list[int]:
        return [relay.pk for relay in item.relays.all()]


class ListWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    relays = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=5000)


class DeliverySerializer(serializers.ModelSerializer):
    relay_name = serializers.CharField(source="relay.name", read_only=True)
    answer = serializers.ChoiceField(choices=Answer.choices, read_only=True)

    class Meta:
        model = BriefingDelivery
        fields = [
            "id",
            "relay",
            "relay_name",
            "status",
            "skip_reason",
            "sent_at",
            "bounced_at",
            "bounce_status",
            "bounce_detail",
            "opened_at",
            "open_count",
            "answer",
            "answered_at",
            "relayed_at",
            "relayed_url",
            "relayed_source",
        ]


class BriefingSerializer(serializers.ModelSerializer):
    statement = serializers.IntegerField(source="version.statement_id", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    deliveries = DeliverySerializer(many=True, read_only=True)

    class Meta:
        model = Briefing
        fields = ["id", "incident", "statement", "version", "note", "created_by", "created_at", "deliveries"]


class BriefingCreateSerializer(StrictSerializer):
    statement = serializers.IntegerField(min_value=1)
    relays = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=5000)
    lists = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=100)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class RelayedSerializer(StrictSerializer):
    url = serializers.URLField(max_length=1000, required=False, allow_blank=True)
