"""Search inside one incident: its crisis log, and what the apps above register (chat, facts,
claims, statements...), by text, crisis-log category, kind of item and author.

Each app registers its kinds in its AppConfig.ready():

    from incidents import search

    search.register("fact", label=_("Facts"), find=find_facts, order=30)

`find(incident, q, author) -> list[Hit]` is one query, capped at RESULTS_PER_KIND rows, newest first.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from core.registry import Registry

from . import selectors
from .models import LogCategory

RESULTS_PER_KIND = 50


@dataclass(frozen=True)
class Source:
    key: str
    label: object
    find: Callable
    order: int = 100


SOURCES = Registry("incident search sources")


def register(key: str, *, label, find: Callable, order: int = 100) -> Source:
    return SOURCES.register(key, Source(key=key, label=label, find=find, order=order))


def kinds() -> list[tuple[str, object]]:
    """(key, label) of the crisis log and every registered kind, in their order."""
    sources = sorted(SOURCES.values(), key=lambda source: source.order)
    return [("log", _("Crisis log")), *((source.key, source.label) for source in sources)]


class IncidentSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Words to find")}),
    )
    kind = forms.ChoiceField(label=_("In"), required=False)
    category = forms.ChoiceField(
        label=_("Crisis-log category"),
        required=False,
        choices=[("", _("Any")), *LogCategory.choices],
        help_text=_("Only crisis-log entries have a category."),
    )
    author = forms.ModelChoiceField(label=_("Author"), required=False, queryset=None, empty_label=_("Anyone"))

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Everything")), *kinds()]
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


def cut(text: str) -> str:
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
            cut(entry.text) or str(entry.get_kind_display()),
            f"{workspace}#entry-{entry.pk}",
            entry.actor,
            entry.created_at,
            f"#{entry.seq} · {entry.get_category_display() or entry.get_kind_display()}",
        )
        for entry in entries[:RESULTS_PER_KIND]
    ]


def search(incident, *, q: str = "", kind: str = "", category: str = "", author=None) -> list[tuple[str, list[Hit]]]:
    """[(kind label, hits)] for each kind searched. A category narrows to the crisis log (only it has one)."""
    labels = dict(kinds())
    wanted = [kind] if kind else list(labels)
    if category:
        wanted = [key for key in wanted if key == "log"]

    def find(key: str) -> list[Hit]:
        return _log(incident, q, category, author) if key == "log" else SOURCES[key].find(incident, q, author)

    return [(str(labels[key]), find(key)) for key in wanted]
