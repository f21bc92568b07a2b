import copy
from collections.abc import Mapping

from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework import serializers


def _as_tuple(types) -> tuple:
    return types if isinstance(types, tuple) else (types,)


def json_type(field) -> type | tuple | None:
    """The JSON type a field takes (None: any, or its own checks)."""
    if isinstance(field, serializers.BooleanField):
        return bool
    if isinstance(field, serializers.IntegerField | serializers.PrimaryKeyRelatedField):
        return int
    if isinstance(field, serializers.FloatField | serializers.DecimalField):
        return (int, float)
    if isinstance(field, serializers.ListField | serializers.ManyRelatedField | serializers.ListSerializer):
        return list
    if isinstance(field, serializers.MultipleChoiceField):
        return list
    if isinstance(field, serializers.ChoiceField):
        # The type of its choices: severity takes 1..4, a level takes "alert".
        return tuple({type(key) for key in field.choices}) or str
    if isinstance(field, serializers.DictField | serializers.Serializer):
        return dict
    if isinstance(field, serializers.JSONField | serializers.SerializerMethodField):
        return None
    if isinstance(field, serializers.CharField | serializers.ChoiceField | serializers.DateTimeField):
        return str
    if isinstance(field, serializers.DateField | serializers.TimeField | serializers.DurationField):
        return str
    return None


# Fields holding other fields (bound to their parent) or serializers: copied deeply.
_COMPOUND_FIELDS = (
    serializers.BaseSerializer,
    serializers.ListField,
    serializers.DictField,
    serializers.HStoreField,
    serializers.ManyRelatedField,
)


class FieldsOnce:
    """Fields built once per serializer class, then copied for each instance.

    A ModelSerializer builds its fields from the model at every instantiation
    (field mapping, kwargs, validators): ~0.4-1 ms per serializer, per request and
    per row for a serializer used inside another one, whatever the rows (issue 12).
    Here `get_fields()` runs once per class, on a copy of the class's own result:
    plain fields shallowly (they are built from the class alone; an instance that
    changes one, e.g. sets a queryset for its input, rebinds an attribute on its own
    copy), fields holding other fields or serializers deeply (they are bound to their
    parent), as DRF copies declared fields.

    Only for serializers whose fields depend on the class alone: not for one whose
    `get_fields()` or `Meta` depends on the instance, the request or the context.
    """

    def get_fields(self):
        cls = type(self)
        prototypes = cls.__dict__.get("_fields_once")
        if prototypes is None:
            prototypes = super().get_fields()
            cls._fields_once = prototypes  # never bound nor used itself: only copied
        return {
            name: copy.deepcopy(field) if isinstance(field, _COMPOUND_FIELDS) else copy.copy(field)
            for name, field in prototypes.items()
        }


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

    def _type_errors(self, data) -> dict[str, list[str]]:
        """A JSON value of the wrong type is refused, as the schema says: DRF would read 12
        as the text "12", "12" as the number 12, "yes" as true (schemathesis sent them)."""
        if not isinstance(data, Mapping) or isinstance(data, QueryDict):
            return {}  # a form's values are all text: DRF's parsing is the right reading there
        errors = {}
        for name, field in self.fields.items():
            if field.read_only or name not in data:
                continue
            value = data[name]
            if value is None:
                continue  # allow_null is the field's own business
            expected = json_type(field)
            if (expected is not None and not isinstance(value, expected)) or (
                isinstance(value, bool) and expected is not None and bool not in _as_tuple(expected)
            ):
                message = next(
                    (
                        field.error_messages[key]
                        for key in ("invalid", "incorrect_type", "not_a_list", "not_a_dict")
                        if key in field.error_messages
                    ),
                    _("This value has the wrong type."),
                )
                kind = type(value).__name__
                try:
                    errors[name] = [str(message).format(input_type=kind, data_type=kind)]
                except (KeyError, IndexError):
                    # A message with placeholders of its own (DateTimeField's "{format}"): a 500 before.
                    errors[name] = [str(_("This value has the wrong type."))]
        return errors

    def to_internal_value(self, data):
        unknown = {**self._type_errors(data), **self._unknown_field_errors(data)}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if unknown and isinstance(error.detail, Mapping):
                raise serializers.ValidationError({**error.detail, **unknown}) from None
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value
