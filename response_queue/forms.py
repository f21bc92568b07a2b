"""Forms of the queue pages: shapes only; the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import ServiceForm

from .models import ItemState, RuleKind


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", pgettext_lazy("queue items", "Open")), *ItemState.choices]
    )
    mine = forms.BooleanField(label=_("Only mine"), required=False)


class FlagForm(ServiceForm):
    mention = forms.IntegerField(label=_("Mention number"), min_value=1)
    reason = forms.CharField(label=_("Why (optional)"), required=False, max_length=2000)


class AnswerForm(ServiceForm):
    template = forms.TypedChoiceField(label=_("Approved template"), coerce=int, required=False, empty_value=None)
    ticket = forms.CharField(label=_("Ticket (for {ticket})"), required=False, max_length=60)
    text = forms.CharField(
        label=_("Or a free reply (managers)"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    channel = forms.CharField(label=_("Channel"), required=False, max_length=120)
    url = forms.CharField(label=_("Link to the published reply"), required=False, max_length=1000)


class ReasonForm(ServiceForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(ServiceForm):
    assignee = forms.TypedChoiceField(label=_("Assign to"), coerce=int)


class BulkForm(ServiceForm):
    items = forms.TypedMultipleChoiceField(coerce=int, widget=forms.MultipleHiddenInput)
    action = forms.ChoiceField(
        label=_("With the selected items"),
        choices=[("answer", _("Answer from a template")), ("no_reply", _("Close: no reply needed"))],
    )
    template = forms.TypedChoiceField(label=_("Approved template"), coerce=int, required=False, empty_value=None)
    reason = forms.CharField(label=_("Reason (to close)"), required=False, max_length=2000)


class SlaForm(ServiceForm):
    crisis_minutes = forms.IntegerField(label=_("Crisis: answer within (minutes)"), min_value=1, max_value=10080)
    alert_minutes = forms.IntegerField(label=_("Alert: answer within (minutes)"), min_value=1, max_value=10080)
    recovery_minutes = forms.IntegerField(label=_("Recovery: answer within (minutes)"), min_value=1, max_value=10080)
    watch_working_days = forms.IntegerField(label=_("Watch: answer within (working days)"), min_value=1, max_value=20)


class RuleForm(ServiceForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=RuleKind.choices)
    terms = forms.CharField(
        label=_("Terms, one per line"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    min_reach = forms.IntegerField(label=_("Minimum reach"), required=False, min_value=1)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class LinkForm(ServiceForm):
    mention = forms.IntegerField(label=_("Mention number"), min_value=1)


class WaitingForm(ServiceForm):
    """What to do with a mention that waited for an incident: put it in an open incident's queue, or dismiss it."""

    waiting = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    action = forms.ChoiceField(choices=[("queue", _("Put in the queue")), ("dismiss", _("Dismiss"))])
    incident = forms.TypedChoiceField(label=_("Incident"), coerce=int, required=False, empty_value=None)
    reason = forms.CharField(label=_("Why no answer is needed"), required=False, max_length=2000)
