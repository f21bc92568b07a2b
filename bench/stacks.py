"""Read py-spy's collapsed stacks (`py-spy record --format raw`): where the samples are.

    .venv/bin/python bench/stacks.py profile-workspace.txt [--top 30] [--match crisiscell-code]

Inclusive share: the samples in which a frame appears (once per stack, however deep
the recursion); self share: those in which it is the innermost frame. With
`--match` only frames whose text contains one of the words are listed (their
shares are still of all samples); `--project` lists the frames of this repository only.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

PROJECT_APPS = ("accounts/", "cells/", "crisiscell/", "incidents/", "facts/", "statements/", "messaging/")
PROJECT_APPS += ("notifications/", "reminders/", "templates/", "core/", "realtime/", "workspace/", "chat/")


def read(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for line in path.read_text(errors="replace").splitlines():
        frames, _, count = line.rpartition(" ")
        if frames and count.isdigit():
            stacks.append((frames.split(";"), int(count)))
    return stacks


def shares(stacks: list[tuple[list[str], int]]) -> tuple[int, Counter, Counter]:
    total, inclusive, own = 0, Counter(), Counter()
    for frames, count in stacks:
        total += count
        for frame in set(frames):
            inclusive[frame] += count
        own[frames[-1]] += count
    return total, inclusive, own


def is_project(frame: str) -> bool:
    where = frame[frame.rfind("(") + 1 :]
    return "site-packages" not in where and "/lib/python3" not in where and where.startswith(PROJECT_APPS)


def report(path: Path, top: int, match: list[str], project: bool) -> str:
    total, inclusive, own = shares(read(path))
    if not total:
        return f"{path}: no samples"

    def keep(frame: str) -> bool:
        return (not match or any(word in frame for word in match)) and (not project or is_project(frame))

    lines = [f"{path}: {total} samples", f"{'incl %':>7} {'self %':>7}  frame"]
    for frame, count in inclusive.most_common():
        if keep(frame):
            lines.append(f"{100 * count / total:7.1f} {100 * own[frame] / total:7.1f}  {frame}")
            if len(lines) - 2 >= top:
                break
    lines.append(f"\nTop self:\n{'self %':>7}  frame")
    for frame, count in own.most_common(top):
        lines.append(f"{100 * count / total:7.1f}  {frame}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", type=Path, nargs="+")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--match", nargs="+", default=[], help="list only frames containing one of these")
    parser.add_argument("--project", action="store_true", help="list only this repository's frames")
    args = parser.parse_args(argv)
    for path in args.files:
        print(report(path, args.top, args.match, args.project), end="\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
