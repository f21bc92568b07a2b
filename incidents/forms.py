import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .filters import IncidentFilter
from .models import CrisisType, Incident, Level, LogCategory, LogEntry, Severity


class IncidentForm(forms.ModelForm):
    class Meta:
        model = Incident
        fields = ["title", "description", "crisis_type", "severity", "owner", "is_exercise"]
        widgets = {
            "title": forms.TextInput(attrs={"placeholder": _("What is happening, in a few words")}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "severity": _("1 is the worst: reach, harm and media attention."),
            "owner": _("The person who follows the incident for the cell."),
        }

    def __init__(self, *args, cell, **kwargs):
        super().__init__(*args, **kwargs)
        # Only people of this cell can own its incidents.
        self.fields["owner"].queryset = get_user_model().objects.filter(memberships__cell=cell).order_by("username")
        self.fields["owner"].empty_label = _("Nobody yet")


class IncidentPageFilter(IncidentFilter):
    """The list page's filters: the API's, with widgets made for people."""

    q = django_filters.CharFilter(
        method="search",
        label=_("Search"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Title or description")}),
    )
    level = django_filters.MultipleChoiceFilter(
        choices=Level.choices, label=_("Level"), widget=forms.CheckboxSelectMultiple
    )
    crisis_type = django_filters.MultipleChoiceFilter(
        choices=CrisisType.choices, label=_("Crisis type"), widget=forms.CheckboxSelectMultiple
    )
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label=_("Severity"), empty_label=_("Any"))
    is_exercise = django_filters.BooleanFilter(
        label=_("Real or exercise"),
        widget=forms.Select(
            choices=[("", _("Both")), ("false", _("Real incidents only")), ("true", _("Exercises only"))]
        ),
    )

    # The order of the rows; applied by the view (incidents.attention), not a filter.
    sort = django_filters.ChoiceFilter(
        choices=[("updated", _("Latest change first")), ("attention", _("Needs attention first"))],
        method="keep",
        label=_("Sort"),
        empty_label=None,
    )

    class Meta(IncidentFilter.Meta):
        fields = ["level", "crisis_type", "severity", "is_exercise"]

    def keep(self, queryset, name, value):
        return queryset

    @property
    def sort_order(self) -> str:
        cleaned = getattr(self.form, "cleaned_data", None) or {}
        return cleaned.get("sort") or "updated"

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))


class LogEntryForm(forms.Form):
    text = forms.CharField(
        label=_("What happened"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("Facts, decisions, actions: who, what, when.")}),
    )
    category = forms.ChoiceField(label=_("Category"), choices=LogCategory.choices, initial=LogCategory.INFORMATION)
    source_url = forms.URLField(
        label=_("Source link"),
        required=False,
        max_length=1000,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    corrects = forms.ModelChoiceField(queryset=LogEntry.objects.none(), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["corrects"].queryset = LogEntry.objects.filter(incident=incident)


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=Level.choices, widget=forms.HiddenInput)
    expected_level = forms.ChoiceField(choices=Level.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason (kept in the crisis log)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the level changes: the reason is kept in the crisis log.")},
    )
    # Closing with things still open: why close anyway (kept in the crisis log with what was open).
    force_reason = forms.CharField(
        label=_("Close anyway: why are these left open? (kept in the crisis log)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One form per possible move on the page: element ids must not clash.
        to = self.data.get("to") if self.is_bound else self.initial.get("to")
        if to in Level.values:
            self.auto_id = f"transition-{to}-%s"
