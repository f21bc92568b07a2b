"""Small builders for facts, claims and statements tests (plain functions: explicit at the call site)."""

import contextlib

import pytest
from django.utils import translation

from facts import services as facts
from incidents.models import LogEntry
from statements import services as statements
from statements.models import StatementKind

SOURCE = {"kind": "url", "reference": "https://example.org/recall-notice", "note": "Official notice"}


def make_fact(incident, author, *, text="Batch 42 was recalled on 3 March.", verifier=None):
    fact = facts.fact_create(actor=author, incident=incident, text=text, sources=[SOURCE])
    if verifier is not None:
        fact = facts.fact_verify(actor=verifier, fact=fact)
    return fact


def make_statement(incident, author, *, facts=(), kind=StatementKind.HOLDING, text="We are aware and checking."):
    return statements.statement_create(
        actor=author,
        incident=incident,
        kind=kind,
        audience="social",
        language="fr",
        title="Holding statement on Hydra+",
        text=text,
        cited_facts=[fact.pk for fact in facts],
    )


def version(statement, number=None):
    versions = statement.versions.all()
    return versions.get(number=number) if number else versions.order_by("-number").first()


def approved(statement, author, manager):
    """Submit the latest version (by `author`) and approve it (by `manager`)."""
    draft = statements.version_submit(actor=author, version=version(statement))
    return statements.version_approve(actor=manager, version=draft)


def published(statement, author, manager, channel="website"):
    return statements.version_publish(actor=manager, version=approved(statement, author, manager), channel=channel)


def log_actions(incident, kind: str) -> list[str]:
    """The `action` of each crisis-log entry of `kind`, oldest first."""
    entries = LogEntry.objects.filter(incident=incident, kind=kind).order_by("seq")
    return [entry.data.get("action") for entry in entries]


@contextlib.contextmanager
def eager_celery():
    """Run .delay() inline (e.g. the e-mail task queued after commit) for the duration."""
    from crisiscell.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = saved


@pytest.fixture(autouse=True)
def english_and_fast_passwords(settings):
    """Messages in English (the default language is French), and a cheap password hash for the many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "en"  # notifications and e-mails are written in it
    with translation.override("en"):
        yield


@pytest.fixture
def api(api):
    """The shared API client factory, asking for English (the default language is French)."""

    def make(user=None):
        client = api(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make
