"""Data built once per test module and rolled back after it: Django's setUpTestData, for pytest.

A permission matrix runs hundreds of rows on the same scene (a cell, its named
users, an incident, a few facts and statements). Building that scene for every
row was most of the suite's time. Here it is built once per module inside an
outer transaction; each test still runs in its own savepoint (pytest-django's
`db`), so what a test writes is undone before the next one, and the module's
data is undone at the end.

A test module opts in with `pytestmark = [pytest.mark.django_db, SHARED]`: the
conftest's `cell`, `other_cell`, `users` and `incident` then read these shared
rows, and the module builds its own scene with `@shared_fixture`. Tests get
fresh Python objects (fetched by id) every time: only the rows are shared, never
an object a test could change in memory. Not for tests that commit
(`transaction=True`).
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import override_settings

from incidents import services

from .factories import FAST_PASSWORD_HASHERS, CellFactory, make_users


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """An outer transaction around the whole module, rolled back after its last test."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS), transaction.atomic():
        yield
        transaction.set_rollback(True)


def shared_fixture(build):
    """A module-scoped fixture whose builder may use the database; its rows live for the module.

    The builder takes the module's `shared_people` and returns ids (or other
    immutable values), never model instances.
    """

    @pytest.fixture(scope="module", name=build.__name__)
    def fixture(module_db, shared_people, django_db_blocker):
        with django_db_blocker.unblock():
            return build(shared_people)

    return fixture


# Module-scoped, so pytest sets it up before the test's own transaction (`db`).
SHARED = pytest.mark.usefixtures("shared_people")


def shares_data(request) -> bool:
    """Whether the requesting test's module opted in with SHARED."""
    return "shared_people" in request.fixturenames


@dataclass(frozen=True)
class People:
    cell: int
    other_cell: int
    incident: int
    users: dict[str, int]


@pytest.fixture(scope="module")
def shared_people(module_db, django_db_blocker) -> People:
    """The conftest's cell, other cell, named users and incident, once for the module."""
    with django_db_blocker.unblock():
        cell, other_cell = CellFactory(name="Cellule Durand"), CellFactory(name="Other Org")
        people = make_users(cell, other_cell)
        incident = services.incident_create(
            actor=people["member"], cell=cell, title="Viral video about Hydra+", severity=2
        )
        return People(cell.pk, other_cell.pk, incident.pk, {key: user.pk for key, user in people.items()})


def users_of(people: People) -> dict:
    """The named users, fresh from the database: role key -> user."""
    by_id = get_user_model().objects.in_bulk(people.users.values())
    return {key: by_id[pk] for key, pk in people.users.items()}
