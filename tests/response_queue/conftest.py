import itertools

import pytest
from django.utils import timezone

from response_queue import integration
from tests.facts.helpers import api, english_and_fast_passwords, make_fact, make_statement, published  # noqa: F401

_ids = itertools.count(1)


def make_source(cell):
    from monitoring.models import Source

    return Source.objects.get_or_create(cell=cell, name="API", defaults={"kind": "api"})[0]


def make_mention(
    cell,
    text="Mon colis n'est jamais arrivé, remboursez-moi",
    *,
    handle="client42",
    reach=100,
    tone=0,
    matched=None,
    at=None,
):
    return integration.mention_model().objects.create(
        source=make_source(cell),
        cell=cell,
        external_id=f"m-{next(_ids)}",
        author_handle=handle,
        author_name=handle.title(),
        author_reach=reach,
        text=text,
        published_at=at or timezone.now(),
        tone=tone,
        matched=matched or {},
    )


@pytest.fixture
def template(incident, users):
    """A published response template of the incident, with placeholders."""
    from statements.models import StatementKind

    member, manager = users["member"], users["manager"]
    statement = make_statement(
        incident,
        member,
        kind=StatementKind.RESPONSE_TEMPLATE,
        text="Bonjour {author}, nous sommes désolés. Votre dossier {ticket} est suivi.",
    )
    return published(statement, member, manager)
