"""Forms of the cell's preparedness page: the activation settings and the on-call rota."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from .models import Preparedness

# The same bounds as the API (playbooks.api.serializers.PreparednessSerializer): a week at most.
MAX_MINUTES_OR_COUNT = 7 * 24 * 60
NUMBERS = ("digest_hours", "ack_remind_minutes", "task_remind_minutes", "escalate_after")


class PreparednessForm(forms.ModelForm):
    class Meta:
        model = Preparedness
        fields = ["activation_level", "digest_hours", "ack_remind_minutes", "task_remind_minutes", "escalate_after"]
        help_texts = {
            "activation_level": _("Reaching this level calls every member in, once per incident."),
            "digest_hours": _(
                "Each member gets the list of their open tasks when the cell is activated, then every this many hours."
            ),
            "ack_remind_minutes": _("Members who have not answered an activation are reminded this often."),
            "task_remind_minutes": _("The holder of an overdue task is reminded this often."),
            "escalate_after": _("After this many reminders without effect, the managers are told too."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in NUMBERS:
            field = self.fields[name]
            field.validators = [MinValueValidator(1), MaxValueValidator(MAX_MINUTES_OR_COUNT)]
            field.widget.attrs.update(min=1, max=MAX_MINUTES_OR_COUNT)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class RotaSlotForm(forms.Form):
    user = forms.TypedChoiceField(label=_("Who"), coerce=int, empty_value=None)
    starts_at = forms.DateTimeField(label=_("From"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"])
    ends_at = forms.DateTimeField(label=_("Until"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"])

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {user.pk: user for user in members}
        self.fields["user"].choices = [("", _("— choose a member —"))] + [
            (user.pk, user.get_full_name() or user.username) for user in members
        ]

    def clean_user(self):
        user = self.members.get(self.cleaned_data.get("user"))
        if user is None:
            raise forms.ValidationError(_("Choose a member of the cell."))
        return user

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The slot must end after it starts."))
        return cleaned
