"""Forms of the statement pages. Shapes only: the workflow's rules (four-eyes, verified facts,
required comments and reasons) are the services', and their messages are shown on these forms."""

from django import forms
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from core.forms import ServiceForm
from facts.forms import DATETIME_LOCAL
from facts.models import FactStatus

from .models import Audience, StatementKind


def _cut(text: str) -> str:
    # A label cut off says so (an ellipsis), rather than ending mid-word as if complete.
    return Truncator(text).chars(120)


def fact_choices(facts) -> list[tuple[int, str]]:
    return [
        (fact.pk, f"#{fact.pk} · {FactStatus(fact.status).label} · {Truncator(fact.text).chars(120)}") for fact in facts
    ]


def claim_choices(claims) -> list[tuple[int, str]]:
    return [
        (claim.pk, f"#{claim.pk} · {claim.get_status_display()} · {Truncator(claim.text).chars(120)}")
        for claim in claims
    ]


def _ids(label, help_text=""):
    return forms.TypedMultipleChoiceField(
        label=label, coerce=int, required=False, widget=forms.CheckboxSelectMultiple, help_text=help_text
    )


class StatementForm(ServiceForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=StatementKind.choices, initial=StatementKind.HOLDING)
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices, initial=Audience.SOCIAL)
    language = forms.CharField(label=_("Language"), max_length=16, initial="fr", help_text=_("fr, en, de, pt-BR…"))
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Text"), max_length=10000, widget=forms.Textarea(attrs={"rows": 8}))
    cited_facts = _ids(_("Facts it rests on"), _("Approval and publication need every cited fact verified."))
    answers = _ids(_("Claims it answers"))

    def __init__(self, *args, facts, claims, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cited_facts"].choices = fact_choices(facts)
        self.fields["answers"].choices = claim_choices(claims)


class VersionEditForm(ServiceForm):
    text = forms.CharField(label=_("Text"), max_length=10000, widget=forms.Textarea(attrs={"rows": 8}))
    cited_facts = _ids(_("Facts it rests on"), _("Approval and publication need every cited fact verified."))
    # The revision the user edited: a change made meanwhile is a conflict, never overwritten.
    revision = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, facts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cited_facts"].choices = fact_choices(facts)


class StatementUpdateForm(ServiceForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    answers = _ids(_("Claims it answers"))

    def __init__(self, *args, claims, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answers"].choices = claim_choices(claims)


class NoInputForm(ServiceForm):
    """Submit and approve: nothing to type, but the service's refusals are shown on the form."""


class RejectForm(ServiceForm):
    comment = forms.CharField(
        label=_("What must change (the author reads it)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PublishForm(ServiceForm):
    channel = forms.CharField(
        label=_("Where it goes out"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Website, X, Instagram, press list…")}),
    )
    url = forms.URLField(
        label=_("Link to the publication"),
        max_length=1000,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )


class WithdrawForm(ServiceForm):
    reason = forms.CharField(
        label=_("Why it is withdrawn (kept in the crisis log)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


ACTION_FORMS = {
    "submit": NoInputForm,
    "approve": NoInputForm,
    "reject": RejectForm,
    "publish": PublishForm,
    "withdraw": WithdrawForm,
}


class ReviewDueForm(ServiceForm):
    review_due_at = forms.DateTimeField(label=_("Next review at"), widget=DATETIME_LOCAL)
    reason = forms.CharField(label=_("Why (kept in the crisis log)"), max_length=2000, required=False)
