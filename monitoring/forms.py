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


class MentionSearchForm(forms.Form):
    """The filters of the mentions page (GET): every field optional, bad values are form errors."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    watchlist = forms.TypedChoiceField(label=_("Watchlist"), required=False, coerce=int, empty_value=None)
    tone = forms.TypedChoiceField(
        label=_("Tone"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("any")), ("-1", _("Negative")), ("0", _("Neutral")), ("1", _("Positive"))],
    )
    author = forms.CharField(label=_("Author"), required=False, max_length=200)
    min_reach = forms.IntegerField(label=_("Reach at least"), required=False, min_value=0)
    since = forms.DateTimeField(
        label=_("Since"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args, watchlists=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["watchlist"].choices = [("", _("any"))] + [(w.pk, w.name) for w in watchlists]


class WatchlistForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    terms = forms.CharField(
        label=_("Terms"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One per line: a word, a phrase, #hashtag or @handle."),
    )
    exclusions = forms.CharField(label=_("Exclusion terms"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    languages = forms.CharField(
        label=_("Languages"), required=False, help_text=_("Codes separated by commas (fr, en); empty: all.")
    )
    spike_factor = forms.FloatField(label=_("Volume spike: times the baseline"), initial=3.0, min_value=1)
    spike_min_count = forms.IntegerField(label=_("Volume spike: at least this many mentions"), initial=20, min_value=1)
    negative_jump = forms.FloatField(label=_("Negative share jump (0-1)"), initial=0.25, min_value=0.01, max_value=1)
    reach_threshold = forms.IntegerField(label=_("High-reach author: followers"), initial=100_000, min_value=0)

    def clean_languages(self):
        return [code.strip().lower() for code in self.cleaned_data["languages"].split(",") if code.strip()]
