"""Forms of the facts and claims pages. They check the shape of the input; the rules are the services'."""

from django import forms
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from core.forms import ServiceForm

from .models import ClaimRelation, ClaimStatus, SourceKind

# Where a workflow button was pressed: the answer goes back there.
RETURN_TO = [("workspace", "workspace"), ("page", "page")]
DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ReturnToForm(ServiceForm):
    return_to = forms.ChoiceField(choices=RETURN_TO, required=False, widget=forms.HiddenInput)

    def back_to_page(self) -> bool:
        return self.is_valid() and self.cleaned_data.get("return_to") == "page"


class FactForm(ServiceForm):
    """A new fact with its source, and optionally a second one (more are added on the fact's page)."""

    text = forms.CharField(
        label=_("The fact"),
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": _("One sentence: what is established, or being checked.")}
        ),
    )
    source_kind = forms.ChoiceField(label=_("Source"), choices=SourceKind.choices, initial=SourceKind.URL)
    source_reference = forms.CharField(
        label=_("Reference"),
        max_length=1000,
        widget=forms.TextInput(attrs={"placeholder": _("A link, a document, a person, a department")}),
    )
    source_note = forms.CharField(label=_("Note on the source"), max_length=1000, required=False)
    extra_kind = forms.ChoiceField(
        label=_("Second source"), choices=SourceKind.choices, initial=SourceKind.DOCUMENT, required=False
    )
    extra_reference = forms.CharField(label=_("Reference"), max_length=1000, required=False)
    extra_note = forms.CharField(label=_("Note on the source"), max_length=1000, required=False)

    # The workspace has several forms: field names and ids must not clash with the crisis log's.
    prefix = "fact"
    # The services name the list of sources "sources": show those errors at the first reference.
    error_fields = {"sources": "source_reference"}

    def sources(self) -> list[dict]:
        data = self.cleaned_data
        sources = [{"kind": data["source_kind"], "reference": data["source_reference"], "note": data["source_note"]}]
        if data.get("extra_reference", "").strip():
            sources.append(
                {"kind": data["extra_kind"], "reference": data["extra_reference"], "note": data["extra_note"]}
            )
        return sources


class FactMoveForm(ReturnToForm):
    reason = forms.CharField(label=_("Reason (kept in the crisis log)"), max_length=2000, required=False)


class FactEditForm(ServiceForm):
    text = forms.CharField(label=_("New text"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)
    # The revision the user edited: a change made meanwhile is a conflict, not overwritten.
    revision = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class SourceForm(ServiceForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=SourceKind.choices, initial=SourceKind.URL)
    reference = forms.CharField(label=_("Reference"), max_length=1000)
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)

    error_fields = {"sources": "reference"}


class ClaimForm(ServiceForm):
    text = forms.CharField(
        label=_("What is circulating"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("Quote or summarise the claim.")}),
    )
    where = forms.CharField(
        label=_("Where"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Network, site, medium")}),
    )
    url = forms.URLField(
        label=_("Link"),
        max_length=1000,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    estimated_reach = forms.IntegerField(label=_("Estimated reach"), min_value=0, required=False)
    language = forms.CharField(label=_("Language"), max_length=16, initial="fr")
    first_seen_at = forms.DateTimeField(
        label=_("First seen at"),
        required=False,
        widget=DATETIME_LOCAL,
        help_text=_("Empty: now."),
    )

    prefix = "claim"  # one of several forms on the workspace

    def fields_for_service(self) -> dict:
        data = {name: value for name, value in self.cleaned_data.items() if name != "text"}
        if data["first_seen_at"] is None:
            del data["first_seen_at"]  # the service's default: now
        return data


class ClaimMoveForm(ReturnToForm):
    to = forms.ChoiceField(choices=ClaimStatus.choices, widget=forms.HiddenInput)
    # The status the user saw: if it changed meanwhile, the move is a conflict.
    expected_status = forms.ChoiceField(choices=ClaimStatus.choices, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note (kept in the crisis log)"), max_length=2000, required=False)


class ClaimLinkForm(ServiceForm):
    fact = forms.TypedChoiceField(label=_("Fact"), coerce=int)
    relation = forms.ChoiceField(label=_("This fact"), choices=ClaimRelation.choices, initial=ClaimRelation.REFUTES)

    def __init__(self, *args, facts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fact"].choices = [
            (fact.pk, f"#{fact.pk} · {fact.get_status_display()} · {Truncator(fact.text).chars(90)}") for fact in facts
        ]


class DiffForm(forms.Form):
    """Two version numbers to compare, from the query string (?from=1&to=3)."""

    def __init__(self, data=None, *, numbers, **kwargs):
        super().__init__(data, **kwargs)
        choices = [(number, f"v{number}") for number in numbers]
        # "from" is a Python keyword, so the fields are added by name.
        self.fields["from"] = forms.TypedChoiceField(label=_("Compare"), choices=choices, coerce=int)
        self.fields["to"] = forms.TypedChoiceField(label=_("with"), choices=choices, coerce=int)
