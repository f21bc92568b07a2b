"""Helpers for the page tests of facts, claims, statements, reminders and notifications.

Import the fixtures into a test module: `from tests.pages import as_user, scene  # noqa: F401`.
"""

import datetime
import zoneinfo
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.utils import timezone

from cells.models import Cell
from facts import claims as claim_services
from facts.models import Claim, ClaimFact, Fact, FactSource, FactVersion
from incidents.models import Incident, LogEntry
from notifications.models import Notification
from reminders.models import Reminder
from statements import services as statement_services
from statements.models import Statement, StatementVersion
from tests.facts.helpers import approved, make_fact, make_statement, published, version
from tests.shared import shared_fixture, users_of

HTMX = {"HX-Request": "true"}
HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)>"


@pytest.fixture
def as_user(client, users):
    """as_user("member") logs the test client in as that user, in English (or `language`)."""

    def login(key, language="en"):
        client.force_login(users[key])
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client

    return login


def rows() -> dict[str, int]:
    """Everything a refused request must leave as it was."""
    models = [
        Fact,
        FactVersion,
        FactSource,
        Claim,
        ClaimFact,
        Statement,
        StatementVersion,
        LogEntry,
        Reminder,
        Notification,
    ]
    return {model.__name__: model.objects.count() for model in models}


def state(*objects) -> list[dict]:
    """The stored rows of these objects, to compare before and after a refused request."""
    return [type(obj).objects.filter(pk=obj.pk).values().get() for obj in objects]


@pytest.fixture
def scene(cell, users, incident):
    """One of everything, in the states the pages act on: see `build_scene`."""
    return build_scene(cell, users, incident)


def build_scene(cell, users, incident) -> dict[str, int]:
    """One of everything, in the states the pages act on. Ids by name (for URL templates).

    - fact: unverified, recorded by member2 (so `member` may verify it under four-eyes)
    - verified: verified fact (recorded by member2, verified by manager)
    - claim: circulating
    - draft: statement with a draft v1 by member, citing `verified`
    - review: statement with v1 in review, by member
    - approved: statement with v1 approved (by manager), written by member
    - live: holding statement with v1 published; its review reminder is active
    """
    member, member2, manager = users["member"], users["member2"], users["manager"]
    fact = make_fact(incident, member2, text="Unverified: batch 43 is fine.")
    verified = make_fact(incident, member2, text="Batch 42 was recalled on 3 March.", verifier=manager)
    claim = claim_services.claim_create(
        actor=member, incident=incident, text="Hydra+ causes burns", where="TikTok", estimated_reach=5000
    )
    draft = make_statement(incident, member, facts=[verified])
    review = make_statement(incident, member, facts=[verified], text="In review text.")
    statement_services.version_submit(actor=member, version=version(review))
    approve = make_statement(incident, member, facts=[verified], text="Approved text.")
    approved(approve, member, manager)
    live = make_statement(incident, member, facts=[verified], text="Published text.")
    published(live, member, manager)
    reminder = Reminder.objects.get(statement=live)
    return {
        "incident": incident.pk,
        "cell": cell.pk,
        "fact": fact.pk,
        "verified": verified.pk,
        "claim": claim.pk,
        "draft": draft.pk,
        "review": review.pk,
        "approved": approve.pk,
        "live": live.pk,
        "reminder": reminder.pk,
    }


@shared_fixture
def shared_scene(people) -> dict[str, int]:
    """`build_scene` once per module (tests/shared.py): for modules that only read it or roll back."""
    return build_scene(Cell.objects.get(pk=people.cell), users_of(people), Incident.objects.get(pk=people.incident))


def local_input(moment: datetime.datetime) -> str:
    """A datetime-local value as the browser sends it: in the user's zone (the default one here)."""
    zone = zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIMEZONE)
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def future_local(hours: int = 3) -> str:
    return local_input(timezone.now() + datetime.timedelta(hours=hours))


# --- A small HTML tree (stdlib only), to check the structure pages promise ----------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict, parent: "Node | None" = None):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    def elements(self):
        """This node and every element under it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.elements()

    def find_all(self, predicate) -> list["Node"]:
        return [node for node in self.elements() if predicate(node)]

    def with_attr(self, name: str, value: str | None = None) -> list["Node"]:
        return self.find_all(lambda n: name in n.attrs and (value is None or n.attrs[name] == value))

    def text(self) -> str:
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)

    def element_children(self) -> list["Node"]:
        return [child for child in self.children if isinstance(child, Node)]


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#root", {})

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(content: bytes | str) -> Node:
    builder = _Builder()
    builder.feed(content.decode() if isinstance(content, bytes) else content)
    return builder.root


def live_panel(root: Node, name: str) -> Node:
    (panel,) = root.with_attr("data-live-panel", name)
    return panel
