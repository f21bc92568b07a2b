"""Playbooks as YAML, so that a cell can keep them under review outside the tool.

Export writes every playbook of the cell (its current version) as one file;
import reads such a file back. The import is all or nothing: each problem is
reported with the line it is on, and a file with any problem changes nothing.
Line numbers come from PyYAML's node tree (compose), which keeps where each
key and value started; values are then checked by playbooks.schema, the same
rules as the API.
"""

from dataclasses import dataclass

import yaml
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import schema

# Under the API body limit (128 KB) even for text in two-byte characters.
MAX_BYTES = 120 * 1024
# A file with more nodes than this is not a playbook file (and anchors could make it explode).
MAX_NODES = 50_000


@dataclass(frozen=True)
class LineError:
    line: int | None
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "field": self.field, "message": self.message}


class ImportRefused(Exception):
    """The file has problems (HTTP 400 with each of them); nothing was imported."""

    def __init__(self, errors: list[LineError]):
        super().__init__(f"{len(errors)} problem(s)")
        self.errors = errors

    def as_data(self) -> dict:
        """The API's 400 body (playbooks and drills imports): what happened, then each problem."""
        return {"detail": _("Nothing was imported."), "errors": [error.as_dict() for error in self.errors]}


def export_cell(cell, versions) -> str:
    """The YAML file of the given current versions (playbooks.selectors.current_versions)."""
    body = {
        "playbooks": [
            {"crisis_type": v.playbook.crisis_type, "name": v.playbook.name, "levels": v.content.get("levels", {})}
            for v in versions
        ]
    }
    header = (
        f"# CrisisCell playbooks — {cell.name}\n"
        f"# exported {timezone.now():%Y-%m-%d %H:%M} UTC; "
        + ", ".join(f"{v.playbook.crisis_type} v{v.number}" for v in versions)
        + "\n"
    )
    return header + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=100)


class _Reader:
    """YAML nodes to Python values, remembering the line of every path."""

    def __init__(self, loader):
        self.loader = loader
        self.lines: dict[tuple, int] = {}
        self.count = 0

    def value(self, node, path=()):
        self.count += 1
        if self.count > MAX_NODES:
            raise ImportRefused(
                [LineError(node.start_mark.line + 1, "", _("The file is too large to be a playbook file."))]
            )
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            result = {}
            for key_node, value_node in node.value:
                key = self.loader.construct_object(key_node)
                if not isinstance(key, str | int):
                    key = str(key)
                self.lines[(*path, key)] = key_node.start_mark.line + 1
                result[key] = self.value(value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, (*path, index)) for index, item in enumerate(node.value)]
        return self.loader.construct_object(node)

    def line_of(self, path: tuple) -> int | None:
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None


def read(text: str):
    """(the document, a reader that knows the line of every path), or ImportRefused for a file that
    is not YAML at all. Shared with the drills' scenario import."""
    if len(text.encode()) > MAX_BYTES:
        raise ImportRefused([LineError(None, "", _("The file is over %(max)s KB.") % {"max": MAX_BYTES // 1024})])
    loader = None
    try:
        # The reader checks the characters as it is built: a control character is refused there.
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
        if node is None:
            raise ImportRefused([LineError(None, "", _("The file is empty."))])
        reader = _Reader(loader)
        document = reader.value(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        raise ImportRefused(
            [LineError(line, "", _("Not valid YAML: %(problem)s.") % {"problem": error.problem})]
        ) from None
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        problem = _("character U+%(code)04X is not allowed") % {"code": error.character}
        raise ImportRefused([LineError(line, "", _("Not valid YAML: %(problem)s.") % {"problem": problem})]) from None
    except yaml.YAMLError as error:
        raise ImportRefused([LineError(None, "", _("Not valid YAML: %(problem)s.") % {"problem": error})]) from None
    finally:
        if loader is not None:
            loader.dispose()
    return document, reader


def parse(text: str, *, usernames: set[str]) -> list[dict]:
    """The cleaned playbooks of a YAML file, or ImportRefused listing every problem by line."""
    document, reader = read(text)
    checker = schema.Checker(usernames)
    if not isinstance(document, dict) or set(document) != {"playbooks"} or not isinstance(document["playbooks"], list):
        raise ImportRefused(
            [LineError(1, "playbooks", _("The file must have one key, “playbooks”, holding a list of playbooks."))]
        )
    cleaned, seen = [], {}
    for index, raw in enumerate(document["playbooks"]):
        playbook = checker.playbook(raw, ("playbooks", index))
        crisis_type = playbook["crisis_type"]
        if crisis_type and crisis_type in seen:
            checker.fail(
                ("playbooks", index, "crisis_type"),
                _("A second playbook for “%(type)s” (the first is at line %(line)s).")
                % {"type": crisis_type, "line": reader.line_of(("playbooks", seen[crisis_type]))},
            )
        seen.setdefault(crisis_type, index)
        cleaned.append(playbook)
    if not cleaned:
        checker.fail(("playbooks",), _("The list of playbooks is empty."))
    if checker.problems:
        errors = [LineError(reader.line_of(p.path), p.where, p.message) for p in checker.problems]
        raise ImportRefused(sorted(errors, key=lambda e: (e.line or 0, e.field)))
    return cleaned


@transaction.atomic
def import_cell(*, actor, cell, text: str) -> list:
    """New versions for every playbook of the file that changed; ImportRefused (nothing written) otherwise."""
    from . import services

    services.require_manager(actor, cell.pk)
    playbooks = parse(text, usernames=services.cell_usernames(cell.pk))
    note = _("Imported from YAML")
    return [services.save_cleaned(actor=actor, cell=cell, cleaned=playbook, note=note) for playbook in playbooks]
