from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .models import Incident, Level, LogCategory, LogEntry


class IncidentForm(forms.ModelForm):
    class Meta:
        model = Incident
        fields = ["title", "description", "crisis_type", "severity", "owner", "is_exercise"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, cell, **kwargs):
        super().__init__(*args, **kwargs)
        # Only people of this cell can own its incidents.
        self.fields["owner"].queryset = get_user_model().objects.filter(memberships__cell=cell).order_by("username")


class LogEntryForm(forms.Form):
    text = forms.CharField(label=_("What happened"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.ChoiceField(label=_("Category"), choices=LogCategory.choices, initial=LogCategory.INFORMATION)
    source_url = forms.URLField(label=_("Source link"), required=False, max_length=1000, assume_scheme="https")
    corrects = forms.ModelChoiceField(queryset=LogEntry.objects.none(), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["corrects"].queryset = LogEntry.objects.filter(incident=incident)


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=Level.choices, widget=forms.HiddenInput)
    expected_level = forms.ChoiceField(choices=Level.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
