"""How a service's ValidationError reaches a form (the API's mapping is core.api.base.exception_handler)."""

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(
    form: forms.BaseForm, error: ValidationError, *, error_fields: dict[str, str] | None = None, hidden_on_top=False
) -> None:
    """Show a service's ValidationError on the form, by field where it can.

    `error_fields` renames a service's field to the form's; with `hidden_on_top`, errors of
    hidden fields go to the top of the form (on the hidden field nobody would see them).
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    error_fields = error_fields or {}
    for name, messages in error.message_dict.items():
        name = error_fields.get(name, name)
        field = form.fields.get(name)
        shown = field is not None and not (hidden_on_top and field.widget.is_hidden)
        form.add_error(name if shown else None, messages)


class ServiceForm(forms.Form):
    """A form that shows a service's ValidationError by field where it can."""

    # Service field name -> form field name, where they differ.
    error_fields: dict[str, str] = {}

    def add_service_errors(self, error: ValidationError) -> None:
        add_service_errors(self, error, error_fields=self.error_fields, hidden_on_top=True)
