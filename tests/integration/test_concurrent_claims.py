"""Fifty members claim one queue item at the same moment, through real HTTP, on PostgreSQL:
exactly one wins, the 49 others get 409 naming the winner, one crisis-log entry."""

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from cells.models import Role
from incidents.crisislog import verify_chain
from response_queue import services
from response_queue.models import QueueItem
from tests.factories import MembershipFactory, UserFactory
from tests.response_queue.conftest import make_mention
from tests.services_check import require_service
from tests.statements.test_concurrent_review import request, together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLAIMERS = 50


def test_fifty_concurrent_claims_exactly_one_wins(asgi_server_factory, cell, users, incident):
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    server = asgi_server_factory(workers=2)
    tokens = []
    for n in range(CLAIMERS):
        user = MembershipFactory(cell=cell, user=UserFactory(username=f"claimer{n}"), role=Role.MEMBER).user
        tokens.append(Token.objects.create(user=user).key)
    item = services.flag(actor=users["member"], incident=incident, mention_id=make_mention(cell).pk)
    url = f"{server.url}/api/v1/incidents/{incident.pk}/queue/{item.pk}/claim/"

    results = together([lambda t=t: request("POST", url, t) for t in tokens])

    statuses = sorted(status for status, _body in results)
    assert statuses == [200] + [409] * (CLAIMERS - 1), statuses
    winner = next(body for status, body in results if status == 200)
    stored = QueueItem.objects.get(pk=item.pk)
    assert stored.state == "assigned" and stored.assignee_id == winner["assignee"]
    assert all(body["current"]["assignee"] == winner["assignee"] for status, body in results if status == 409)
    assert incident.log_entries.filter(kind="response", data__action="claimed").count() == 1
    assert verify_chain(incident).valid
