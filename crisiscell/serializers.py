from collections.abc import Mapping

from django.utils.translation import gettext as _
from rest_framework import serializers


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, instead of silently ignoring them.

    A client that sends `{"level": "crisis"}` to PATCH must learn that nothing
    happened, not get a 200 that looks like success. Unknown fields are
    reported together with the other fields' errors, in one 400.
    """

    # field -> the message that tells where the change must go instead.
    redirected_fields: dict[str, str] = {}

    def _unknown_field_errors(self, data) -> dict[str, list[str]]:
        # Only the request body itself (initial_data): a nested serializer is
        # checked by its parent's field, as DRF does.
        if not hasattr(self, "initial_data") or data is not self.initial_data or not isinstance(data, Mapping):
            return {}
        writable = {name for name, field in self.fields.items() if not field.read_only}
        unknown = sorted(set(data) - writable)
        return {name: [self.redirected_fields.get(name, _("This field cannot be written."))] for name in unknown}

    def to_internal_value(self, data):
        unknown = self._unknown_field_errors(data)
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if unknown and isinstance(error.detail, Mapping):
                raise serializers.ValidationError({**error.detail, **unknown}) from None
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value
