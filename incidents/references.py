"""The things of an incident that people name: `fact#3` in the chat, the link of a log entry, edit locks.

Each app registers the kinds of object it owns, in its AppConfig.ready():

    from incidents import references

    references.register("fact", model=Fact, url_name="facts:detail", lockable=True)

- `url_name` is reversed with (incident id, object id); without one, the link is the
  workspace scrolled to the object's panel item (#fact-3);
- `lockable` objects can carry an edit lock ("being edited by X"): `fact:3`.
"""

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse

from core.registry import Registry


@dataclass(frozen=True)
class ObjectKind:
    key: str
    model: Any
    url_name: str = ""
    lockable: bool = False


KINDS = Registry("incident object kinds")


def register(key: str, *, model, url_name: str = "", lockable: bool = False) -> ObjectKind:
    return KINDS.register(key, ObjectKind(key=key, model=model, url_name=url_name, lockable=lockable))


def get(key: str) -> ObjectKind | None:
    return KINDS.get(key)


def kinds() -> list[str]:
    return list(KINDS)


def url(incident_id: int, kind: str, object_id: int) -> str:
    """The page of the object, else the workspace at its place; crisis-log entries ("log") by number."""
    workspace = reverse("incidents:detail", args=[incident_id])
    if kind == "log":
        return f"{workspace}#log-{object_id}"
    spec = KINDS.get(kind)
    if spec is not None and spec.url_name:
        try:
            return reverse(spec.url_name, args=[incident_id, object_id])
        except NoReverseMatch:
            pass
    return f"{workspace}#{kind}-{object_id}"


def named_in(data: dict) -> tuple[str, int] | None:
    """The object a crisis-log entry's data names (`{"claim": 4, "fact": 9}`): the kind registered
    last wins, i.e. the higher app's object (a statement over the facts it cites, a claim over a fact)."""
    for key in reversed(list(KINDS)):
        if isinstance(data.get(key), int) and not isinstance(data.get(key), bool):
            return key, data[key]
    return None


def lockable() -> dict[str, Any]:
    """kind -> model of the objects that take edit locks."""
    return {key: spec.model for key, spec in KINDS.items() if spec.lockable}
