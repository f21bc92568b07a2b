from django import forms
from django.utils.translation import gettext_lazy as _


class EscalateForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Open at"), choices=[("watch", _("Watch")), ("alert", _("Alert"))], initial="watch", required=False
    )
    title = forms.CharField(label=_("Title of the incident"), max_length=200, required=False)
    incident = forms.TypedChoiceField(
        label=_("Or attach it to an open incident"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, incidents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.incidents = {incident.pk: incident for incident in incidents}
        self.fields["incident"].choices = [("", _("— a new incident —"))] + [
            (incident.pk, incident.title) for incident in incidents
        ]

    def clean_level(self):
        return self.cleaned_data.get("level") or "watch"

    def clean_incident(self):
        value = self.cleaned_data.get("incident")
        return self.incidents.get(value) if value else None


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("Why dismiss it?"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Export file (CSV or JSONL)"))
    preset = forms.ChoiceField(
        label=_("Layout"),
        required=False,
        choices=[
            ("", _("Detect from the columns")),
            ("crisiscell", _("CrisisCell fields (external_id, text, published_at...)")),
            ("listening-en", _("Listening export, English columns (Id, Content, Date, Author...)")),
            ("listening-fr", _("Listening export, French columns (Identifiant, Texte, Date, Auteur...)")),
        ],
    )
    mapping = forms.CharField(
        label=_("Or map the columns"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "external_id=Post ID\ntext=Message\npublished_at=Created"}
        ),
        help_text=_("One field=column per line; it wins over the layout."),
    )
