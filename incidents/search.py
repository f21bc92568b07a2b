"""Search inside one incident: its crisis log, chat, facts, claims and statements, by text,
crisis-log category, kind of item and author.

Page composition (like incidents/workspace.py): it reads the messaging, facts and
statements apps. Each kind is one query, capped at RESULTS_PER_KIND rows, newest first.
"""

from dataclasses import dataclass

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from chat.models import ChatMessage
from facts.models import Claim, Fact
from statements.models import Statement

from . import selectors
from .models import LogCategory

RESULTS_PER_KIND = 50

KINDS = [
    ("log", _("Crisis log")),
    ("chat", _("Chat")),
    ("fact", _("Facts")),
    ("claim", _("Claims")),
    ("statement", _("Statements")),
]


class IncidentSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Words to find")}),
    )
    kind = forms.ChoiceField(label=_("In"), required=False, choices=[("", _("Everything")), *KINDS])
    category = forms.ChoiceField(
        label=_("Crisis-log category"),
        required=False,
        choices=[("", _("Any")), *LogCategory.choices],
        help_text=_("Only crisis-log entries have a category."),
    )
    author = forms.ModelChoiceField(label=_("Author"), required=False, queryset=None, empty_label=_("Anyone"))

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["author"].queryset = (
            get_user_model().objects.filter(memberships__cell_id=incident.cell_id).order_by("username")
        )

    @property
    def is_searching(self) -> bool:
        return self.is_bound and self.is_valid() and any(self.cleaned_data.values())


@dataclass
class Hit:
    kind: str
    kind_label: str
    text: str
    url: str
    author: object
    at: object
    detail: str = ""


def _cut(text: str) -> str:
    return Truncator(text or "").chars(240)


def _log(incident, q, category, author) -> list[Hit]:
    entries = selectors.log_entries(incident)
    if q:
        entries = entries.filter(text__icontains=q)
    if category:
        entries = entries.filter(category=category)
    if author:
        entries = entries.filter(actor=author)
    workspace = reverse("incidents:detail", args=[incident.pk])
    return [
        Hit(
            "log",
            str(_("Crisis log")),
            _cut(entry.text) or str(entry.get_kind_display()),
            f"{workspace}#entry-{entry.pk}",
            entry.actor,
            entry.created_at,
            f"#{entry.seq} · {entry.get_category_display() or entry.get_kind_display()}",
        )
        for entry in entries[:RESULTS_PER_KIND]
    ]


def _chat(incident, q, author) -> list[Hit]:
    messages = ChatMessage.objects.filter(incident=incident).select_related("author").order_by("-created_at", "-id")
    if q:
        messages = messages.filter(text__icontains=q)
    if author:
        messages = messages.filter(author=author)
    workspace = reverse("incidents:detail", args=[incident.pk])
    return [
        Hit("chat", str(_("Chat")), _cut(m.text), f"{workspace}#chat-{m.pk}", m.author, m.created_at)
        for m in messages[:RESULTS_PER_KIND]
    ]


def _facts(incident, q, author) -> list[Hit]:
    facts = Fact.objects.filter(incident=incident).select_related("created_by").order_by("-updated_at", "-id")
    if q:
        facts = facts.filter(text__icontains=q)
    if author:
        facts = facts.filter(created_by=author)
    return [
        Hit(
            "fact",
            str(_("Fact")),
            _cut(f.text),
            reverse("facts:detail", args=[incident.pk, f.pk]),
            f.created_by,
            f.updated_at,
            f"#{f.pk} · {f.get_status_display()}",
        )
        for f in facts[:RESULTS_PER_KIND]
    ]


def _claims(incident, q, author) -> list[Hit]:
    claims = Claim.objects.filter(incident=incident).select_related("created_by").order_by("-updated_at", "-id")
    if q:
        claims = claims.filter(Q(text__icontains=q) | Q(where__icontains=q))
    if author:
        claims = claims.filter(created_by=author)
    return [
        Hit(
            "claim",
            str(_("Claim")),
            _cut(c.text),
            reverse("facts:claim-detail", args=[incident.pk, c.pk]),
            c.created_by,
            c.updated_at,
            f"#{c.pk} · {c.get_status_display()}",
        )
        for c in claims[:RESULTS_PER_KIND]
    ]


def _statements(incident, q, author) -> list[Hit]:
    statements = Statement.objects.filter(incident=incident).select_related("created_by")
    if q:
        statements = statements.filter(Q(title__icontains=q) | Q(versions__text__icontains=q))
    if author:
        statements = statements.filter(Q(created_by=author) | Q(versions__authors=author))
    # Matching several versions must not list the statement several times.
    statements = statements.distinct().order_by("-updated_at", "-id")
    return [
        Hit(
            "statement",
            str(_("Statement")),
            _cut(s.title),
            reverse("statements:detail", args=[incident.pk, s.pk]),
            s.created_by,
            s.updated_at,
            s.get_kind_display(),
        )
        for s in statements[:RESULTS_PER_KIND]
    ]


def search(incident, *, q: str = "", kind: str = "", category: str = "", author=None) -> list[tuple[str, list[Hit]]]:
    """[(kind label, hits)] for each kind searched. A category narrows to the crisis log (only it has one)."""
    wanted = [kind] if kind else [key for key, _label in KINDS]
    if category:
        wanted = [key for key in wanted if key == "log"]
    finders = {
        "log": lambda: _log(incident, q, category, author),
        "chat": lambda: _chat(incident, q, author),
        "fact": lambda: _facts(incident, q, author),
        "claim": lambda: _claims(incident, q, author),
        "statement": lambda: _statements(incident, q, author),
    }
    labels = dict(KINDS)
    return [(str(labels[key]), finders[key]()) for key in wanted]
