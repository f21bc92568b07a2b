"""The kinds of crisis-log entries: each app registers its own, with its wording and its panels.

The log is the incidents app's; what is written in it belongs to every app
(facts record "fact" entries, statements "statement" entries...). An app registers
its kinds in its AppConfig.ready():

    from incidents import log_kinds

    log_kinds.register(
        "fact",
        label=_("Fact"),
        panels=["facts", "claims", "glance", "log"],   # what an entry of the kind refreshes on the page
        sentences={"created": _("Fact #%(fact)s recorded."), ...},  # by data["action"]
    )

The database stores the key (LogEntry.kind); the registry decides which keys exist.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.registry import Registry


@dataclass(frozen=True)
class LogKindSpec:
    key: str
    label: Any
    # The workspace panels that an entry of this kind changes (the live refresh map).
    panels: tuple[str, ...] = ("log",)
    # data["action"] -> the sentence the log shows (placeholders from the entry's data).
    sentences: Mapping[str, Any] = field(default_factory=dict)
    # Extra placeholder values computed from the data (labels of choice values).
    labels: Callable[[dict], dict] | None = None
    # Written by the system, not a person: hidden with "hide automatic entries".
    automatic: bool = False


KINDS = Registry("crisis-log kinds")


def register(
    key: str,
    *,
    label,
    panels=("log",),
    sentences: Mapping | None = None,
    labels: Callable[[dict], dict] | None = None,
    automatic: bool = False,
) -> LogKindSpec:
    return KINDS.register(
        key,
        LogKindSpec(
            key=key,
            label=label,
            panels=tuple(panels),
            sentences=dict(sentences or {}),
            labels=labels,
            automatic=automatic,
        ),
    )


def get(key: str) -> LogKindSpec | None:
    return KINDS.get(key)


def label(key: str) -> str:
    spec = KINDS.get(key)
    return str(spec.label) if spec else key


def choices() -> list[tuple[str, str]]:
    """(key, label) of every registered kind: forms, serializers and the API schema's enum."""
    return [(key, spec.label) for key, spec in KINDS.items()]


def keys() -> list[str]:
    return list(KINDS)


def panels(key: str) -> list[str]:
    spec = KINDS.get(key)
    return list(spec.panels) if spec else ["log"]


def automatic_kinds() -> list[str]:
    return [key for key, spec in KINDS.items() if spec.automatic]


def worded_kinds() -> frozenset[str]:
    return frozenset(key for key, spec in KINDS.items() if spec.sentences)
