"""Named users per role (healthchecks' alice/bob/charlie habit) and the cells they work in.

`cell` has one user per role: admin `alice`, manager `mona`, member `max`,
second member `mia`, observer `olga`. `outsider` belongs to `other_cell` only.
"""

import uuid

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from cells.models import Cell
from incidents import services
from incidents.models import Incident

from .factories import FAST_PASSWORD_HASHERS, PASSWORD, ROLE_USERS, CellFactory, make_users  # noqa: F401  (ROLE_USERS re-exported)
from .integration.servers import start_asgi_server
from .services_check import require_service  # noqa: F401  (re-exported for tests)
from .shared import module_db, shared_people, shares_data, users_of  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def fast_password_hasher(request, settings):
    """A cheap password hash for the tests' many users and logins.

    Not where a server subprocess checks the passwords (it runs the real
    settings): there the users must carry a hash of the default hashers.
    """
    if {"asgi_server", "asgi_server_factory"} & set(request.fixturenames) or request.node.get_closest_marker("browser"):
        return
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_crisis_log_triggers():
    """Transactional tests end with a flush (one TRUNCATE of every table), which the crisis
    log's trigger refuses on PostgreSQL (incidents/migrations/0006). The test database's
    superuser skips ordinary triggers for that one transaction (session_replication_role):
    a power the application's role does not have."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return ["SET LOCAL session_replication_role = replica", *statements] if statements else statements

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original


@pytest.fixture(autouse=True)
def _language_of_its_own():
    """Each test starts in the default language: a test that activates one (or a request
    that leaves it active in the thread) must not decide the wording the next test reads."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _anchors_of_its_own(settings, tmp_path):
    """Each test signs its crisis-log checkpoints into a file of its own: incident ids
    repeat from one test database to the next."""
    settings.CRISIS_LOG_ANCHOR_FILE = str(tmp_path / "crisis-log-anchors.jsonl")


@pytest.fixture(autouse=True)
def _cache_of_its_own(settings):
    """Each test counts its throttles and lockouts from zero, without flushing a shared
    Redis db (the cache is Redis when REDIS_URL is set): a key prefix of its own."""
    key = uuid.uuid4().hex
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{key}"},
        # Incident ids and event numbers repeat from one test database to the next.
        "panels": {**settings.CACHES["panels"], "LOCATION": f"test-panels-{key}"},
    }


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def cell(request, db):
    if shares_data(request):
        return Cell.objects.get(pk=request.getfixturevalue("shared_people").cell)
    return CellFactory(name="Cellule Durand")


@pytest.fixture
def other_cell(request, db):
    if shares_data(request):
        return Cell.objects.get(pk=request.getfixturevalue("shared_people").other_cell)
    return CellFactory(name="Other Org")


@pytest.fixture
def users(request, cell, other_cell):
    """username by role key -> user, all members of `cell`, plus the outsider."""
    if shares_data(request):
        return users_of(request.getfixturevalue("shared_people"))
    return make_users(cell, other_cell)


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
def incident(request, cell, member):
    if shares_data(request):
        return Incident.objects.get(pk=request.getfixturevalue("shared_people").incident)
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


@pytest.fixture
def asgi_server_factory(transactional_db, tmp_path):
    """start(**options) -> AsgiServer: uvicorn as a subprocess on the (committed) test database.

    Real HTTP and WebSockets, unlike pytest-django's WSGI live_server. Every
    server started is stopped at teardown (SIGTERM, SIGKILL after a grace period);
    its log is printed there, which pytest shows when the test failed.
    """
    started = []

    def start(**options):
        server = start_asgi_server(tmp_path, **options)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
        print(f"--- {server.process.name} {server.url} log (tail) ---\n{server.process.log(8000)}")


@pytest.fixture
def asgi_server(asgi_server_factory):
    """One ASGI server on the test database; `asgi_server.url` is its base URL."""
    return asgi_server_factory()
