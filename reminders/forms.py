"""Forms of the reminders pages: snoozing a reminder, a cell's communication settings."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.forms import ServiceForm
from incidents.models import Level

from .cadence import CADENCE_FIELDS, LEVEL_FIELDS
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
        # The per-level review fields sit under a legend that says what they are: the level names them.
        level_of = {field: level for level, field in LEVEL_FIELDS.items()}
        for name in CADENCE_FIELDS:
            field = ReviewCadence._meta.get_field(name)
            label = Level(level_of[name]).label if name in level_of else capfirst(field.verbose_name)
            self.fields[name] = forms.IntegerField(label=label, min_value=1, initial=field.default)
