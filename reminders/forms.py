"""Forms of the reminders pages: snoozing a reminder, a cell's communication settings."""

from django import forms
from django.utils.translation import gettext_lazy as _

from facts.forms import ServiceForm

from .cell_settings import CADENCE_FIELDS
from .models import ReviewCadence

SNOOZE_CHOICES = [
    (15, _("15 minutes")),
    (30, _("30 minutes")),
    (60, _("1 hour")),
    (120, _("2 hours")),
    (240, _("4 hours")),
    (480, _("8 hours")),
]


class SnoozeForm(ServiceForm):
    minutes = forms.TypedChoiceField(label=_("Snooze for"), choices=SNOOZE_CHOICES, coerce=int, initial=30)
    reason = forms.CharField(
        label=_("Why it can wait (kept in the crisis log)"),
        max_length=1000,
        required=False,  # the service says why it is needed
        widget=forms.TextInput(),
    )


class CommsSettingsForm(ServiceForm):
    """The cell's communication settings; labels and limits come from the models."""

    verifier_must_differ = forms.BooleanField(
        label=_("Four-eyes on facts: whoever records a fact cannot verify it"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in CADENCE_FIELDS:
            field = ReviewCadence._meta.get_field(name)
            self.fields[name] = forms.IntegerField(label=field.verbose_name, min_value=1, initial=field.default)
