"""Lower apps publish, higher apps subscribe (issue 11): the signals and who listens."""

import pytest

from facts import services as facts
from facts.signals import fact_discredited
from incidents import services
from incidents.models import Level
from incidents.signals import level_changed

pytestmark = pytest.mark.django_db


def test_level_changed_is_sent_inside_the_transition_with_the_move(incident, manager):
    heard = []

    def listener(sender, **kwargs):
        heard.append(
            {key: kwargs[key] for key in ("from_level", "to_level", "actor")} | {"at": kwargs["incident"].level}
        )

    level_changed.connect(listener)
    try:
        services.incident_transition(actor=manager, incident=incident, to_level=Level.ALERT, reason="Viral")
        services.incident_transition(actor=manager, incident=incident, to_level=Level.CLOSED, reason="Done")
    finally:
        level_changed.disconnect(listener)
    assert heard == [
        {"from_level": Level.WATCH, "to_level": Level.ALERT, "actor": manager, "at": Level.ALERT},
        {"from_level": Level.ALERT, "to_level": Level.CLOSED, "actor": manager, "at": Level.CLOSED},
    ]


def test_the_apps_above_subscribe_in_ready():
    # reminders follows the level (review deadlines), statements follow the facts they cite.
    assert "statements.review.level_changed" in {key[0][0] for key in level_changed.receivers}
    assert "statements.cascade.fact_discredited" in {key[0][0] for key in fact_discredited.receivers}


def test_a_refuted_fact_is_announced_once(incident, member):
    heard = []

    def listener(sender, *, fact, actor, **kwargs):
        heard.append((fact.pk, fact.status, actor))

    fact = facts.fact_create(
        actor=member,
        incident=incident,
        text="The batch was recalled.",
        sources=[{"kind": "department", "reference": "QA"}],
    )
    fact_discredited.connect(listener)
    try:
        facts.fact_refute(actor=member, fact=fact, reason="No recall happened")
    finally:
        fact_discredited.disconnect(listener)
    assert heard == [(fact.pk, "refuted", member)]
