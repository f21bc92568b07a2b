"""The raw baseline of bench/request_path.py: the same rows as JSON, one query each, no framework.

    RAW_DATABASE_URL=postgres://... uvicorn bench.raw_app:app   (as bench/request_path.py starts it)

A bare ASGI callable on psycopg's async pool (4 connections, as Django's pool by
default), served by uvicorn with the application's options. Each read is ONE
query that also checks that the token's user is a member of the incident's cell
(the application's authorisation, folded in), and returns the rows the
application's endpoint returns, serialised with `json.dumps`. The append is the
crisis log's hash chain in plain psycopg, one transaction: bump the incident's
log counter (its row lock orders concurrent appends, as in the application), read
the previous hash, insert. What is left between this and the application is the
framework: middleware, DRF, the ORM, templates, and the extra queries.

Routes (token in `Authorization: Token <key>`; 404 when not a member):
  GET  /raw/healthz
  GET  /raw/incidents                     like GET /api/v1/incidents/
  GET  /raw/incidents/{id}                like GET /api/v1/incidents/{id}/
  GET  /raw/incidents/{id}/log?limit=50   like GET /api/v1/incidents/{id}/log/?page_size=50
  GET  /raw/incidents/{id}/facts          like GET /api/v1/incidents/{id}/facts/
  GET  /raw/incidents/{id}/statements     like GET /api/v1/incidents/{id}/statements/
  GET  /raw/incidents/{id}/workspace      the data of the workspace page (GET /incidents/{id}/), as JSON
  POST /raw/incidents/{id}/log            {"text", "category"}: a hash-chained append
"""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import re
from urllib.parse import parse_qs

from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from bench.plain_chain import GENESIS_HASH, chain_hash

POOL_SIZE = int(os.environ.get("RAW_POOL_SIZE", "4"))
PAGE_SIZE = 25
CATEGORIES = {"information", "decision", "action", "communication"}
MEMBER_ROLES = ("member", "manager", "admin")

# The membership check of every read: the token's user is in the incident's cell.
MEMBER_OF_INCIDENT = """EXISTS (SELECT 1 FROM incidents_incident mi
    JOIN cells_membership mm ON mm.cell_id = mi.cell_id
    JOIN authtoken_token mt ON mt.user_id = mm.user_id
    WHERE mi.id = %(incident)s AND mt.key = %(token)s)"""

INCIDENT_COLUMNS = """i.id, i.cell_id AS cell, i.title, i.description, i.crisis_type, i.severity, i.level,
    i.level_changed_at, i.owner_id AS owner, i.is_exercise, i.created_at, i.updated_at"""

LIST_SQL = f"""SELECT {INCIDENT_COLUMNS}, m.role, count(*) OVER () AS total
FROM incidents_incident i
JOIN cells_membership m ON m.cell_id = i.cell_id
JOIN authtoken_token t ON t.user_id = m.user_id
WHERE t.key = %(token)s
ORDER BY i.updated_at DESC, i.id DESC LIMIT {PAGE_SIZE}"""  # noqa: S608 - constants only

DETAIL_SQL = f"""SELECT {INCIDENT_COLUMNS}, m.role
FROM incidents_incident i
JOIN cells_membership m ON m.cell_id = i.cell_id
JOIN authtoken_token t ON t.user_id = m.user_id
WHERE t.key = %(token)s AND i.id = %(incident)s"""  # noqa: S608

LOG_COLUMNS = """e.id, e.incident_id AS incident, e.seq, e.kind, e.category, e.text, e.source_url,
    e.corrects_id AS corrects, e.actor_id AS actor,
    COALESCE(NULLIF(concat_ws(' ', u.first_name, u.last_name), ''), u.username, '') AS actor_name,
    e.data, e.created_at, e.hash"""

# The count as an uncorrelated subquery (computed once, from the index), not a window over every row.
LOG_SQL = f"""SELECT {LOG_COLUMNS},
    (SELECT count(*) FROM incidents_logentry WHERE incident_id = %(incident)s) AS total
FROM incidents_logentry e LEFT JOIN accounts_user u ON u.id = e.actor_id
WHERE e.incident_id = %(incident)s AND {MEMBER_OF_INCIDENT}
ORDER BY e.seq DESC LIMIT %(limit)s"""  # noqa: S608

SOURCES = """(SELECT COALESCE(json_agg(json_build_object('id', s.id, 'kind', s.kind, 'reference', s.reference,
    'note', s.note, 'added_by', s.added_by_id, 'added_at', s.added_at) ORDER BY s.id), '[]')
    FROM facts_factsource s WHERE s.fact_id = f.id)"""
FACT_ORDER = """CASE f.status WHEN 'unverified' THEN 0 WHEN 'verified' THEN 1 WHEN 'retracted' THEN 2 ELSE 3 END,
    f.updated_at DESC, f.id DESC"""

FACTS_SQL = f"""SELECT f.id, f.incident_id AS incident, f.text, f.status, f.version, f.revision,
    {SOURCES} AS sources, f.created_by_id AS created_by, f.created_at, f.updated_at,
    f.verified_by_id AS verified_by, f.verified_at, f.closed_by_id AS closed_by, f.closed_at, f.reason,
    count(*) OVER () AS total
FROM facts_fact f
WHERE f.incident_id = %(incident)s AND {MEMBER_OF_INCIDENT}
ORDER BY {FACT_ORDER} LIMIT {PAGE_SIZE}"""  # noqa: S608

VERSION_SUMMARY = """(SELECT row_to_json(v) FROM (SELECT number, status, published_at, channel, published_url
    FROM statements_statementversion WHERE statement_id = s.id {extra} ORDER BY number DESC LIMIT 1) v)"""
STATEMENT_COLUMNS = f"""s.id, s.incident_id AS incident, s.kind, s.audience, s.language, s.title,
    (SELECT COALESCE(json_agg(a.claim_id ORDER BY a.claim_id), '[]') FROM statements_statement_answers a
     WHERE a.statement_id = s.id) AS answers,
    s.needs_review, s.needs_review_since, s.needs_review_facts, s.review_due_at,
    {VERSION_SUMMARY.format(extra="")} AS latest_version,
    {VERSION_SUMMARY.format(extra="AND status = 'published'")} AS published_version,
    s.created_by_id AS created_by, s.created_at, s.updated_at"""  # noqa: S608

STATEMENTS_SQL = f"""SELECT {STATEMENT_COLUMNS}, count(*) OVER () AS total
FROM statements_statement s
WHERE s.incident_id = %(incident)s AND {MEMBER_OF_INCIDENT}
ORDER BY s.needs_review DESC, s.updated_at DESC, s.id DESC LIMIT {PAGE_SIZE}"""  # noqa: S608

# Everything the workspace page shows, in one query: the incident, the newest 50 log entries
# (and the count the paginator takes), the level history, claims, facts, statements, the chat.
WORKSPACE_SQL = f"""SELECT {INCIDENT_COLUMNS}, i.event_seq, c.name AS cell_name, m.role,
 (SELECT count(*) FROM incidents_logentry WHERE incident_id = i.id) AS log_count,
 (SELECT COALESCE(json_agg(l), '[]') FROM (
    SELECT {LOG_COLUMNS}, ce.seq AS corrects_seq
    FROM incidents_logentry e LEFT JOIN accounts_user u ON u.id = e.actor_id
    LEFT JOIN incidents_logentry ce ON ce.id = e.corrects_id
    WHERE e.incident_id = i.id ORDER BY e.seq DESC LIMIT 50) l) AS log,
 (SELECT COALESCE(json_agg(h), '[]') FROM (
    SELECT e.seq, e.text, e.data, e.created_at, e.actor_id FROM incidents_logentry e
    WHERE e.incident_id = i.id AND e.kind = 'level_changed' ORDER BY e.seq) h) AS history,
 (SELECT COALESCE(json_agg(x), '[]') FROM (
    SELECT cl.id, cl.text, cl.status, cl."where", cl.url, cl.estimated_reach, cl.first_seen_at, cl.status_changed_at,
      (SELECT COALESCE(json_agg(json_build_object('fact', cf.fact_id, 'relation', cf.relation, 'text', fa.text,
          'status', fa.status)), '[]') FROM facts_claimfact cf JOIN facts_fact fa ON fa.id = cf.fact_id
       WHERE cf.claim_id = cl.id) AS facts,
      (SELECT COALESCE(json_agg(json_build_object('id', st.id, 'title', st.title)), '[]')
       FROM statements_statement_answers sa JOIN statements_statement st ON st.id = sa.statement_id
       WHERE sa.claim_id = cl.id) AS answered_by
    FROM facts_claim cl WHERE cl.incident_id = i.id ORDER BY cl.first_seen_at, cl.id) x) AS claims,
 (SELECT COALESCE(json_agg(x), '[]') FROM (
    SELECT f.id, f.text, f.status, f.version, f.updated_at, {SOURCES} AS sources
    FROM facts_fact f WHERE f.incident_id = i.id ORDER BY {FACT_ORDER}) x) AS facts,
 (SELECT COALESCE(json_agg(x), '[]') FROM (
    SELECT s.id, s.kind, s.audience, s.title, s.needs_review, s.review_due_at,
      (SELECT row_to_json(v) FROM (SELECT number, status, text, published_at, channel
         FROM statements_statementversion WHERE statement_id = s.id ORDER BY number DESC LIMIT 1) v) AS latest
    FROM statements_statement s WHERE s.incident_id = i.id
    ORDER BY s.needs_review DESC, s.updated_at DESC, s.id DESC) x) AS statements,
 (SELECT COALESCE(json_agg(x), '[]') FROM (
    SELECT cm.id, cm.text, cm.created_at, cm.refs, cm.promoted_entry_id, cu.username AS author
    FROM messaging_chatmessage cm JOIN accounts_user cu ON cu.id = cm.author_id
    WHERE cm.incident_id = i.id ORDER BY cm.created_at DESC, cm.id DESC LIMIT 40) x) AS chat
FROM incidents_incident i
JOIN cells_cell c ON c.id = i.cell_id
JOIN cells_membership m ON m.cell_id = i.cell_id
JOIN authtoken_token t ON t.user_id = m.user_id
WHERE i.id = %(incident)s AND t.key = %(token)s"""  # noqa: S608

BUMP_SQL = """UPDATE incidents_incident i SET log_seq = i.log_seq + 1
FROM cells_membership m JOIN authtoken_token t ON t.user_id = m.user_id
WHERE i.id = %(incident)s AND t.key = %(token)s AND m.cell_id = i.cell_id AND m.role = ANY(%(roles)s)
RETURNING i.log_seq, m.user_id"""
PREVIOUS_SQL = "SELECT hash FROM incidents_logentry WHERE incident_id = %s AND seq = %s"
INSERT_SQL = """INSERT INTO incidents_logentry
    (incident_id, seq, kind, category, text, source_url, corrects_id, actor_id, data, created_at, prev_hash, hash)
VALUES (%s, %s, 'note', %s, %s, '', NULL, %s, '{}', %s, %s, %s) RETURNING id"""

_pool: AsyncConnectionPool | None = None
_pool_lock = asyncio.Lock()


async def pool() -> AsyncConnectionPool:
    """Opened at the first request (the bench runs uvicorn with --lifespan off, like the application)."""
    global _pool
    if _pool is None:
        async with _pool_lock:
            if _pool is None:
                candidate = AsyncConnectionPool(
                    os.environ["RAW_DATABASE_URL"],
                    min_size=POOL_SIZE,
                    max_size=POOL_SIZE,
                    # No server-side prepared statements, as Django's psycopg backend by default: the
                    # comparison is of the framework, not of the protocol (and the generic plan that
                    # psycopg's automatic preparation leads to made the log query three times slower).
                    kwargs={"autocommit": True, "prepare_threshold": None},
                    open=False,
                )
                await candidate.open(wait=True)
                _pool = candidate
    return _pool


def _json_default(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value)}")


def dumps(value) -> bytes:
    return json.dumps(value, default=_json_default, ensure_ascii=False).encode()


async def respond(send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def read_body(receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def fetch(sql: str, params: dict, one: bool = False):
    async with (await pool()).connection() as conn:
        cursor = conn.cursor(row_factory=dict_row)
        await cursor.execute(sql, params)
        return await (cursor.fetchone() if one else cursor.fetchall())


def paginated(rows: list[dict]) -> dict:
    total = rows[0]["total"] if rows else 0
    for row in rows:
        del row["total"]
    return {"count": total, "results": rows}


async def append(incident: int, token: str, body: bytes) -> tuple[int, dict]:
    try:
        payload = json.loads(body or b"{}")
        text = (payload.get("text") or "").strip()
        category = payload.get("category") or "information"
    except (ValueError, AttributeError):
        return 400, {"detail": "a JSON object"}
    if not text or len(text) > 5000 or category not in CATEGORIES:
        return 400, {"detail": "text (1-5000 characters) and a category"}
    async with (await pool()).connection() as conn, conn.transaction():
        bumped = await (
            await conn.execute(BUMP_SQL, {"incident": incident, "token": token, "roles": list(MEMBER_ROLES)})
        ).fetchone()
        if bumped is None:
            return 404, {"detail": "No such incident."}
        seq, actor = bumped
        previous = await (await conn.execute(PREVIOUS_SQL, (incident, seq - 1))).fetchone()
        prev_hash = previous[0] if previous else GENESIS_HASH
        created_at = datetime.datetime.now(datetime.UTC)
        digest = chain_hash(prev_hash, incident, seq, "note", category, text, "", None, actor, {}, created_at)
        (entry_id,) = await (
            await conn.execute(INSERT_SQL, (incident, seq, category, text, actor, created_at, prev_hash, digest))
        ).fetchone()
    return 201, {
        "id": entry_id,
        "incident": incident,
        "seq": seq,
        "kind": "note",
        "category": category,
        "text": text,
        "source_url": "",
        "corrects": None,
        "actor": actor,
        "data": {},
        "created_at": created_at,
        "hash": digest,
    }


ROUTE = re.compile(r"^/raw/incidents(?:/(?P<id>\d+)(?:/(?P<what>log|facts|statements|workspace))?)?/?$")


async def app(scope, receive, send):
    if scope["type"] != "http":  # no lifespan, no websockets
        return
    path, method = scope["path"], scope["method"]
    if path == "/raw/healthz":
        await fetch("SELECT 1 AS ok", {}, one=True)
        return await respond(send, 200, b'{"status": "ok"}')
    match = ROUTE.match(path)
    headers = dict(scope["headers"])
    token = headers.get(b"authorization", b"").decode("latin-1").removeprefix("Token ").strip()
    if match is None:
        return await respond(send, 404, b'{"detail": "Not found."}')
    if not token:
        return await respond(send, 401, b'{"detail": "Authentication credentials were not provided."}')
    incident, what = match["id"], match["what"]
    params = {"token": token, "incident": int(incident) if incident else None}
    if method == "POST" and what == "log":
        status, body = await append(params["incident"], token, await read_body(receive))
        return await respond(send, status, dumps(body))
    if method != "GET":
        return await respond(send, 405, b'{"detail": "Method not allowed."}')
    if incident is None:
        return await respond(send, 200, dumps(paginated(await fetch(LIST_SQL, params))))
    if what is None or what == "workspace":
        row = await fetch(DETAIL_SQL if what is None else WORKSPACE_SQL, params, one=True)
        if row is None:
            return await respond(send, 404, b'{"detail": "No such incident."}')
        return await respond(send, 200, dumps(row))
    if what == "log":
        query = parse_qs(scope.get("query_string", b"").decode())
        params["limit"] = min(int(query.get("limit", ["50"])[0]), 200)
        rows = await fetch(LOG_SQL, params)
    else:
        rows = await fetch(FACTS_SQL if what == "facts" else STATEMENTS_SQL, params)
    return await respond(send, 200, dumps(paginated(rows)))
