"""`manage.py load_demo`: the demo cell with facts, claims and statements; loading it again changes nothing."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command

from facts.models import Claim, Fact
from statements.models import Statement, StatementVersion

from .support import fast_password_hasher  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in ("cells", "incidents", "facts", "statements", "reminders", "notifications")
        or model._meta.label == "accounts.User"
    }


def test_demo_has_the_pages_of_issue_3_filled_and_loads_twice_the_same():
    call_command("load_demo", stdout=io.StringIO())
    first = counts()
    assert Fact.objects.filter(status="verified").exists() and Fact.objects.filter(status="unverified").exists()
    assert Claim.objects.count() == 2
    assert StatementVersion.objects.filter(status="published").count() == 1
    assert Statement.objects.filter(review_due_at__isnull=False).count() == 1
    call_command("load_demo", stdout=io.StringIO())
    assert counts() == first
