"""Line diffs between two versions of a text (facts and statements), for the API and the pages."""

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class DiffLine:
    op: str  # "equal", "insert" or "delete"
    text: str


def text_diff(old: str, new: str) -> list[DiffLine]:
    """Every line of both texts, marked as kept, added or removed, in reading order.

    Line-based, as reviewers read statements paragraph by paragraph; the
    unified form (`unified_diff`) is there for clients that prefer it.
    """
    old_lines, new_lines = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines += [DiffLine("equal", line) for line in old_lines[i1:i2]]
            continue
        lines += [DiffLine("delete", line) for line in old_lines[i1:i2]]
        lines += [DiffLine("insert", line) for line in new_lines[j1:j2]]
    return lines


def unified_diff(old: str, new: str, *, old_label: str, new_label: str) -> str:
    return "\n".join(
        difflib.unified_diff(old.splitlines(), new.splitlines(), fromfile=old_label, tofile=new_label, lineterm="")
    )
