"""The rules of a playbook's content: one validator for the API, the pages and the YAML import.

A playbook is a mapping:

    crisis_type: rumour
    name: Rumeur
    levels:
      alert:
        tasks:
          - {title: Trouver la source, role: member, due_minutes: 30}
        statements:
          - {kind: holding, audience: social, title: ..., text: ...}

Errors name the place (a path like `levels.alert.tasks[0].title`) so that the
YAML import can turn each into the line it came from.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from cells.models import Role
from incidents.models import CrisisType, Level
from statements.models import Audience, StatementKind

# The levels a playbook prepares (closing is not a level to prepare for).
PLAYBOOK_LEVELS = (Level.WATCH, Level.ALERT, Level.CRISIS, Level.RECOVERY)
# Pre-drafted texts: holding statements and Q&A (the other kinds are written during the crisis).
DRAFT_KINDS = (StatementKind.HOLDING, StatementKind.QA)
MAX_DUE_MINUTES = 7 * 24 * 60
MAX_ITEMS = 100
TOP_FIELDS = {"crisis_type", "name", "levels"}
LEVEL_FIELDS = {"tasks", "statements"}
TASK_FIELDS = {"title", "description", "role", "assignee", "due_minutes"}
STATEMENT_FIELDS = {"kind", "audience", "language", "title", "text"}


@dataclass(frozen=True)
class Problem:
    path: tuple
    message: str

    @property
    def where(self) -> str:
        text = ""
        for part in self.path:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
        return text


class Checker:
    def __init__(self, usernames: set[str] | None = None):
        # The cell's members: a task may name one of them (None: not checked).
        self.usernames = usernames
        self.problems: list[Problem] = []

    def fail(self, path, message):
        self.problems.append(Problem(tuple(path), message))

    def mapping(self, value, path, allowed: set[str]) -> dict | None:
        if not isinstance(value, dict):
            self.fail(path, _("Expected a mapping (key: value lines)."))
            return None
        for key in value:
            if key not in allowed:
                self.fail(
                    (*path, key),
                    _("Unknown field “%(key)s”; allowed: %(allowed)s.")
                    % {"key": key, "allowed": ", ".join(sorted(allowed))},
                )
        return value

    def text(self, value, path, *, required: bool, limit: int, default: str = "") -> str:
        if value is None:
            if required:
                self.fail(path, _("This field is required."))
            return default
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.fail(path, _("Expected text."))
            return default
        value = str(value).strip()
        if required and not value:
            self.fail(path, _("This field may not be blank."))
        if len(value) > limit:
            self.fail(path, _("At most %(max)s characters.") % {"max": limit})
        return value

    def choice(self, value, path, choices, *, default: str) -> str:
        if value is None:
            return default
        if value not in choices.values:
            self.fail(
                path,
                _("“%(value)s” is not one of: %(choices)s.") % {"value": value, "choices": ", ".join(choices.values)},
            )
            return default
        return value

    def items(self, value, path) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(path, _("Expected a list (lines starting with “- ”)."))
            return []
        if len(value) > MAX_ITEMS:
            self.fail(path, _("At most %(max)s items.") % {"max": MAX_ITEMS})
            return []
        return value

    def task(self, raw, path) -> dict:
        raw = self.mapping(raw, path, TASK_FIELDS) or {}
        task = {"title": self.text(raw.get("title"), (*path, "title"), required=True, limit=200)}
        description = self.text(raw.get("description"), (*path, "description"), required=False, limit=5000)
        if description:
            task["description"] = description
        if raw.get("role") is not None and raw.get("assignee") is not None:
            self.fail((*path, "assignee"), _("Give a role or a person, not both."))
        if raw.get("role") is not None:
            task["role"] = self.choice(raw.get("role"), (*path, "role"), Role, default=Role.MEMBER)
        if raw.get("assignee") is not None:
            username = self.text(raw.get("assignee"), (*path, "assignee"), required=True, limit=150)
            if self.usernames is not None and username and username not in self.usernames:
                self.fail((*path, "assignee"), _("“%(name)s” is not a member of this cell.") % {"name": username})
            task["assignee"] = username
        due = raw.get("due_minutes")
        if due is not None:
            if not isinstance(due, int) or isinstance(due, bool) or not 0 <= due <= MAX_DUE_MINUTES:
                self.fail(
                    (*path, "due_minutes"),
                    _("Give whole minutes after the level starts, 0 to %(max)s.") % {"max": MAX_DUE_MINUTES},
                )
            else:
                task["due_minutes"] = due
        return task

    def statement(self, raw, path) -> dict:
        raw = self.mapping(raw, path, STATEMENT_FIELDS) or {}
        kind = raw.get("kind", StatementKind.HOLDING)
        if kind not in DRAFT_KINDS:
            self.fail((*path, "kind"), _("“%(value)s” is not one of: holding, qa.") % {"value": kind})
            kind = StatementKind.HOLDING
        return {
            "kind": kind,
            "audience": self.choice(raw.get("audience"), (*path, "audience"), Audience, default=Audience.PRESS),
            "language": self.text(raw.get("language"), (*path, "language"), required=False, limit=16, default="fr")
            or "fr",
            "title": self.text(raw.get("title"), (*path, "title"), required=True, limit=200),
            "text": self.text(raw.get("text"), (*path, "text"), required=True, limit=10000),
        }

    def playbook(self, raw, path=()) -> dict:
        raw = self.mapping(raw, path, TOP_FIELDS) or {}
        crisis_type = raw.get("crisis_type")
        if crisis_type is None:
            self.fail((*path, "crisis_type"), _("This field is required."))
        crisis_type = self.choice(crisis_type, (*path, "crisis_type"), CrisisType, default="")
        result = {
            "crisis_type": crisis_type,
            "name": self.text(raw.get("name"), (*path, "name"), required=True, limit=200),
            "levels": {},
        }
        levels = raw.get("levels")
        if levels is None:
            return result
        levels = self.mapping(levels, (*path, "levels"), set(PLAYBOOK_LEVELS)) or {}
        for level in PLAYBOOK_LEVELS:
            if level.value not in levels:
                continue
            where = (*path, "levels", level.value)
            part = self.mapping(levels[level.value] or {}, where, LEVEL_FIELDS) or {}
            tasks = [
                self.task(t, (*where, "tasks", i))
                for i, t in enumerate(self.items(part.get("tasks"), (*where, "tasks")))
            ]
            drafts = [
                self.statement(s, (*where, "statements", i))
                for i, s in enumerate(self.items(part.get("statements"), (*where, "statements")))
            ]
            result["levels"][level.value] = {"tasks": tasks, "statements": drafts}
        return result


def check_playbook(raw, *, usernames: set[str] | None = None) -> tuple[dict, list[Problem]]:
    """(the cleaned playbook, the problems found); use the playbook only when there are none."""
    checker = Checker(usernames)
    cleaned = checker.playbook(raw)
    return cleaned, checker.problems
