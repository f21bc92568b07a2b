"""The demo cell's steps from the apps above incidents (`manage.py load_demo`).

incidents imports none of monitoring, the response queue or relays, yet the demo
should show them working. Each of those apps registers its own step in its
AppConfig.ready() (the way concerns are registered in incidents.attention);
load_demo runs the registered steps after its own, in `order`, in its transaction.
A step must be idempotent: it returns at once when its data are already there.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Demo:
    """What a step builds on: the demo cell, its users by username, its two incidents."""

    cell: object
    users: dict
    rumour: object
    delays: object
    say: Callable[[str], None] = print


@dataclass(frozen=True)
class Step:
    key: str
    load: Callable[[Demo], None]
    # Lower first: the response queue needs monitoring's mentions.
    order: int = 100


_STEPS: dict[str, Step] = {}


def register(key: str, load: Callable[[Demo], None], *, order: int = 100) -> Step:
    step = _STEPS[key] = Step(key, load, order)
    return step


def steps() -> list[Step]:
    return sorted(_STEPS.values(), key=lambda step: (step.order, step.key))
