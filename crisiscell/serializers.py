from django.utils.translation import gettext as _
from rest_framework import serializers


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, instead of silently ignoring them.

    A client that sends `{"level": "crisis"}` to PATCH must learn that nothing
    happened, not get a 200 that looks like success.
    """

    # field -> the message that tells where the change must go instead.
    redirected_fields: dict[str, str] = {}

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if hasattr(self, "initial_data") and isinstance(self.initial_data, dict):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(self.initial_data) - writable)
            if unknown:
                raise serializers.ValidationError(
                    {name: self.redirected_fields.get(name, _("This field cannot be written.")) for name in unknown}
                )
        return attrs
