"""What each app plugs into the notifications: its kinds, its wordings, where its notices lead.

Registered in the app's AppConfig.ready() (README: How to plug in a new app):

    from notifications import registry

    registry.register_kind("approval", _("Statement to approve"))
    registry.register_wording(
        "statement.submitted",
        title=_("To approve: %(title)s v%(number)s"),
        body=_("%(name)s submitted version %(number)s of “%(title)s” ..."),
    )
    registry.register_params(lambda params: {...})   # reader-facing values computed from the parameters
    registry.register_link("statement", statement_urls)  # notices whose data names a statement

The database stores the keys (Notification.kind, data["wording"]); the registry decides which exist.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.registry import Registry

KINDS = Registry("notification kinds")
WORDINGS = Registry("notification wordings")
PARAMS: list[Callable[[dict], dict]] = []
LINKS = Registry("notification links")


@dataclass(frozen=True)
class Wording:
    title: Any
    # A lazy text with %(name)s placeholders, or a function of the worded parameters.
    body: Any


def register_kind(key: str, label) -> None:
    KINDS.register(key, label)


def kind_choices() -> list[tuple[str, Any]]:
    """(key, label) of every kind: the serializer's choices and the API schema's enum."""
    return list(KINDS.items())


def register_wording(key: str, *, title, body) -> None:
    """`title` and `body` are worded at display time with the notice's parameters (`body`
    may be a function of them: a chat message becomes plain text)."""
    WORDINGS.register(key, Wording(title=title, body=body))


def register_params(worded: Callable[[dict], dict]) -> None:
    """`worded(params)` returns values to add or replace for the reader (labels of choice
    values, say): {"status": "Refuted"} for {"fact_status": "refuted"}."""
    if worded not in PARAMS:
        PARAMS.append(worded)


def register_link(data_key: str, urls: Callable[[list], dict[int, str]]) -> None:
    """Notices whose data has `data_key` lead where `urls(notifications)` says ({pk: url}); one
    call per page of notifications, so that it can look its targets up in one query. The links
    registered first are tried first."""
    LINKS.register(data_key, urls)
