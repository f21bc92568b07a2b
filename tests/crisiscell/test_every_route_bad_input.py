"""Every route answers bad input with a 4xx, never a 5xx (issue 10).

The URL resolver is walked: each pattern is requested with its ids filled in
(real objects of the user's cell), then with a malformed id wherever the
pattern lets one through, with a malformed body (broken JSON, garbage form,
10,000 levels of nesting, a non-finite number) and with OPTIONS, as a cell
admin (who may do the most) and anonymously. Nothing may answer 500.
"""

import pytest
from django.test import Client
from django.urls import Resolver404, get_resolver, resolve
from rest_framework.authtoken.models import Token

from chat import services as chat
from chat.models import ChatMessage
from statements.models import Statement

from ..incidents.support import fast_password_hasher  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db

SKIP_PREFIXES = ("static/",)
MALFORMED_IDS = ["abc", "99999999999999999999", "%00", "fact:abc"]
WRITES = ("patch", "put", "delete")
BODIES = [
    ("application/json", b"{not json"),
    ("application/json", b"[" * 10000 + b"]" * 10000),
    ("application/json", b'{"text": 1e999999, "reason": 1e999999, "title": 1e999999}'),
    ("application/json", b'{"text": NaN}'),
    ("application/json", b"\xff\xfe\xfa"),
    ("application/x-www-form-urlencoded", b"text=%FF%FE&reason=%C3%28&title=x"),
    ("multipart/form-data; boundary=xyz", b"--xyz\r\nbroken"),
    ("text/plain", b"hello"),
]


def url_templates(resolver=None, prefix=""):
    """Every URL of the project as a %-format string with its parameter names (from Django's reverse tables)."""
    resolver = resolver or get_resolver()
    for entries in resolver.reverse_dict.lists():
        for possibilities, _pattern, _defaults, _converters in entries[1]:
            for template, params in possibilities:
                yield prefix + template, params
    for _namespace, (namespace_prefix, sub) in resolver.namespace_dict.items():
        yield from url_templates(sub, prefix + namespace_prefix.lstrip("^").replace("\\", ""))


def resolves_to(path: str):
    try:
        return resolve(path).func
    except Resolver404:
        return None


def ids_for(scene, incident, cell, users) -> dict[str, str]:
    chat_message = ChatMessage.objects.filter(incident=incident).first()
    statement = Statement.objects.get(pk=scene["live"])
    return {
        "pk": str(incident.pk),
        "id": str(incident.pk),
        "incident_pk": str(incident.pk),
        "incident_id": str(incident.pk),
        "cell_pk": str(cell.pk),
        "cell_id": str(cell.pk),
        "statement_pk": str(statement.pk),
        "fact_pk": str(scene["fact"]),
        "claim_pk": str(scene["claim"]),
        "reminder_pk": str(scene["reminder"]),
        "number": "1",
        "message_pk": str(getattr(chat_message, "pk", 1)),
        "target": f"fact:{scene['fact']}",
        "name": "log",
        "action": "verify",
        "object_id": str(incident.pk),
        "content_type_id": "1",
        "app_label": "incidents",
        "url": "x",
        "path": "x",
        "format": "json",
        # Relays and the response queue (issue 14): ids of nothing, still walked (a 404, never a 500).
        "relay_id": "1",
        "list_id": "1",
        "delivery_pk": "1",
        "item_pk": "1",
        "token": "not-a-token",
    }


def routes(values):
    """(template, params, path) of every URL whose parameters can be filled and that resolves."""
    seen = set()
    for template, params in url_templates():
        if template.startswith(SKIP_PREFIXES) or any(name not in values for name in params):
            continue
        path = "/" + template % {name: values[name] for name in params}
        if path not in seen and resolves_to(path) is not None:
            seen.add(path)
            yield template, params, path


def malformed_variants(template, params, values):
    """The same URL with one id made malformed, wherever the URL pattern lets it through to the view."""
    good = "/" + template % {name: values[name] for name in params}
    view = resolves_to(good)
    for name in params:
        for bad in MALFORMED_IDS:
            path = "/" + template % {**{n: values[n] for n in params}, name: bad}
            if resolves_to(path) is view:
                yield path


def clients(users):
    admin = Client(raise_request_exception=False)
    admin.force_login(users["admin"])
    token = Token.objects.create(user=users["admin"]).key
    api = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {token}")
    return {"admin": admin, "anonymous": Client(raise_request_exception=False), "api": api}


def test_every_route_answers_bad_input_with_a_4xx(scene, users, incident, cell):
    chat.chat_post(actor=users["admin"], incident=incident, text="@mona look at fact#1")
    values = ids_for(scene, incident, cell, users)
    failures = []
    requests = 0
    all_routes = list(routes(values))
    assert len(all_routes) > 100
    for who, client in clients(users).items():
        for number, (template, params, path) in enumerate(all_routes):
            # Every body on POST; PATCH, PUT and DELETE each with one of them, in turn.
            attempts = [("options", path, None), *[("post", path, body) for body in BODIES]]
            attempts += [(method, path, BODIES[(number + i) % len(BODIES)]) for i, method in enumerate(WRITES)]
            for bad_path in malformed_variants(template, params, values):
                attempts += [("get", bad_path, None), ("post", bad_path, ("application/json", b"{}"))]
            for method, target, body in [("get", path, None), *attempts]:
                kwargs = {"content_type": body[0], "data": body[1]} if body else {}
                status = getattr(client, method)(target, **kwargs).status_code
                requests += 1
                if status >= 500:
                    failures.append((who, method.upper(), target, body[0] if body else "", status))
    assert failures == [], "\n".join(sorted({repr(f) for f in failures}))
    assert requests > 1000
