from rest_framework import serializers

from core.api.serializers import StrictSerializer

from ..models import Drill, Inject, Scenario


class ScenarioSerializer(serializers.ModelSerializer):
    class Meta:
        model = Scenario
        fields = ["id", "name", "crisis_type", "description", "injects", "created_by", "created_at"]
        read_only_fields = fields


class ScenarioWriteSerializer(StrictSerializer):
    content = serializers.DictField(
        help_text="{name, crisis_type, description, injects: [{at, kind, text}]}; a `mention` inject "
        "(a wave of posts into monitoring) also takes count (1-500), author and reach."
    )


class ScenarioImportSerializer(StrictSerializer):
    yaml = serializers.CharField(max_length=60_000, trim_whitespace=False, help_text="The YAML file's text.")


class InjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Inject
        fields = ["id", "position", "offset", "kind", "text", "params", "due_at", "status", "delivered_at", "result"]
        read_only_fields = fields


class DrillSerializer(serializers.ModelSerializer):
    injects = InjectSerializer(many=True, read_only=True)

    class Meta:
        model = Drill
        fields = [
            "id",
            "scenario",
            "incident",
            "leader",
            "status",
            "started_at",
            "elapsed",
            "ended_at",
            "scorecard",
            "injects",
        ]
        read_only_fields = fields


class DrillStartSerializer(StrictSerializer):
    scenario = serializers.IntegerField(min_value=1, help_text="A scenario of this cell.")


class DrillMoveSerializer(StrictSerializer):
    action = serializers.ChoiceField(choices=[("pause", "pause"), ("resume", "resume"), ("end", "end")])
