"""Every aria-describedby / aria-labelledby / label[for] of the main pages names an element that exists
(issue 9: the claim form's aria-describedby pointed to an id that no element had)."""

import re

import pytest
from django.urls import reverse

from facts import claims as claim_services
from incidents import services

from ..facts.helpers import make_fact, make_statement

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r'(aria-describedby|aria-labelledby|aria-controls|for)="([^"]+)"')
ID = re.compile(r'\bid="([^"]+)"')


def dangling(html: str) -> list[str]:
    ids = set(ID.findall(html))
    missing = []
    for attribute, value in REFERENCE.findall(html):
        missing += [f"{attribute}={name}" for name in value.split() if name not in ids]
    return missing


def test_no_aria_or_label_reference_dangles_on_the_main_pages(client, users, incident, cell):
    member = users["member"]
    fact = make_fact(incident, users["member2"], verifier=users["manager"])
    statement = make_statement(incident, member, facts=[fact])
    claim = claim_services.claim_create(actor=member, incident=incident, text="A rumour")
    services.log_entry_add(actor=member, incident=incident, text="Entry")
    client.force_login(users["manager"])
    pages = [
        "/",
        reverse("incidents:detail", args=[incident.pk]),
        reverse("incidents:search", args=[incident.pk]) + "?q=a",
        reverse("statements:detail", args=[incident.pk, statement.pk]),
        reverse("statements:add", args=[incident.pk]),
        reverse("facts:detail", args=[incident.pk, fact.pk]),
        reverse("facts:claim-detail", args=[incident.pk, claim.pk]),
        reverse("notifications:list"),
        reverse("incidents:create"),
    ]
    problems = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        missing = dangling(response.content.decode())
        if missing:
            problems[url] = missing
    assert problems == {}
