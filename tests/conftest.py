"""Named users per role (healthchecks' alice/bob/charlie habit) and the cells they work in.

`cell` has one user per role: admin `alice`, manager `mona`, member `max`,
second member `mia`, observer `olga`. `outsider` belongs to `other_cell` only.
"""

import pytest
from rest_framework.test import APIClient

from cells.models import Role
from incidents import services

from .factories import PASSWORD, CellFactory, MembershipFactory, UserFactory
from .services_check import require_service  # noqa: F401  (re-exported for tests)

ROLE_USERS = {"admin": "alice", "manager": "mona", "member": "max", "member2": "mia", "observer": "olga"}


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def cell(db):
    return CellFactory(name="Cellule Durand")


@pytest.fixture
def other_cell(db):
    return CellFactory(name="Other Org")


@pytest.fixture
def users(cell, other_cell):
    """username by role key -> user, all members of `cell`, plus the outsider."""
    result = {}
    for key, username in ROLE_USERS.items():
        role = Role.MEMBER if key == "member2" else Role(key)
        result[key] = MembershipFactory(cell=cell, user=UserFactory(username=username), role=role).user
    result["outsider"] = MembershipFactory(cell=other_cell, user=UserFactory(username="oscar"), role=Role.ADMIN).user
    return result


@pytest.fixture
def cell_admin(users):
    return users["admin"]


@pytest.fixture
def manager(users):
    return users["manager"]


@pytest.fixture
def member(users):
    return users["member"]


@pytest.fixture
def observer(users):
    return users["observer"]


@pytest.fixture
def outsider(users):
    return users["outsider"]


@pytest.fixture
def incident(cell, member):
    return services.incident_create(actor=member, cell=cell, title="Viral video about Hydra+", severity=2)


@pytest.fixture
def foreign_incident(other_cell, outsider):
    return services.incident_create(actor=outsider, cell=other_cell, title="Someone else's storm")


@pytest.fixture
def api():
    """An API client factory: api(user) is authenticated as that user, api() is anonymous."""

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make
