"""Forms of the relay pages: shapes only; the rules (consent date, handles, cell scoping) are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ServiceForm

from .models import Answer, Consent, RelayKind


def _words(value: str) -> list[str]:
    return [word.strip() for word in (value or "").replace(";", ",").split(",") if word.strip()]


class RelayForm(ServiceForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=RelayKind.choices)
    email = forms.EmailField(label=_("E-mail"), required=False)
    handles = forms.CharField(
        label=_("Channels and handles"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: network:handle, e.g. x:@jane or instagram:jane.doe"),
    )
    languages = forms.CharField(label=_("Languages"), required=False, help_text=_("Comma-separated: fr, en"))
    topics = forms.CharField(label=_("Topics"), required=False, help_text=_("Comma-separated"))
    reach = forms.IntegerField(label=_("Reach"), required=False, min_value=0, max_value=10**12)
    consent = forms.ChoiceField(label=_("Consent to be contacted"), choices=Consent.choices)
    consent_how = forms.CharField(label=_("How consent was given"), max_length=300, required=False)
    consent_at = forms.DateField(
        label=_("Consent date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(label=_("Notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_handles(self):
        handles = []
        for line in (self.cleaned_data.get("handles") or "").splitlines():
            if not line.strip():
                continue
            network, sep, handle = line.partition(":")
            if not sep:
                raise forms.ValidationError(_("Write each handle as network:handle (%(line)s).") % {"line": line[:60]})
            handles.append({"network": network, "handle": handle})
        return handles

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["languages"] = _words(data.get("languages"))
        data["topics"] = _words(data.get("topics"))
        return data

    @classmethod
    def initial_for(cls, relay) -> dict:
        return {
            **{f: getattr(relay, f) for f in ("name", "organisation", "kind", "email", "reach", "consent")},
            **{f: getattr(relay, f) for f in ("consent_how", "consent_at", "notes")},
            "languages": ", ".join(relay.languages or []),
            "topics": ", ".join(relay.topics or []),
            "handles": "\n".join(f"{h.network}:@{h.handle}" for h in relay.handles.all()),
        }


class ListForm(ServiceForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), max_length=1000, required=False)
    relays = forms.TypedMultipleChoiceField(
        label=_("Relays"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *RelayKind.choices])


class BriefForm(ServiceForm):
    relays = forms.TypedMultipleChoiceField(
        label=_("Relays"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    lists = forms.TypedMultipleChoiceField(
        label=_("Distribution lists"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("A note to the relays (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RelayedForm(ServiceForm):
    delivery = forms.IntegerField(widget=forms.HiddenInput)
    url = forms.CharField(label=_("Where (link)"), required=False, max_length=1000)


class RelayAnswerForm(ServiceForm):
    answer = forms.ChoiceField(choices=[c for c in Answer.choices if c[0]])
    url = forms.CharField(label=_("Where you shared it (link, optional)"), required=False, max_length=1000)
