import datetime

import pytest

from relays import services
from tests.facts.helpers import api, english_and_fast_passwords, make_fact, make_statement, published  # noqa: F401


def add_relay(actor, cell, name="Jane Partner", *, consent="given", email="jane@example.org", **fields):
    return services.relay_create(
        actor=actor,
        cell=cell,
        name=name,
        kind=fields.pop("kind", "partner"),
        email=email,
        consent=consent,
        consent_at=datetime.date(2026, 1, 5) if consent == "given" else None,
        consent_how="signed form" if consent == "given" else "",
        **fields,
    )


@pytest.fixture
def live_statement(incident, users):
    """A published holding statement citing one verified fact and one that is not."""
    member, manager, member2 = users["member"], users["manager"], users["member2"]
    verified = make_fact(incident, member2, text="Batch 42 was recalled on 3 March.", verifier=manager)
    statement = make_statement(incident, member, facts=[verified])
    published(statement, member, manager)
    return statement
