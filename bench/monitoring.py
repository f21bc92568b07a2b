"""Monitoring benchmark (issue 13): ingestion end to end, sustained rate, matching alone.

    .venv/bin/python bench/monitoring.py [--mentions 200000] [--sustain-seconds 60] [--rate 5000]

A benchmark, not a test: it prints figures and ratios against raw baselines measured
in the same run, and asserts nothing about time. On a scratch PostgreSQL database
(created, migrated, dropped, as bench/ws_fanout.py does):

1. Ingestion end to end: N synthetic French and English mentions, in batches of 10,000,
   POSTed to /api/v1/mentions/batch/ of one uvicorn process (as Procfile.dev starts it,
   DEBUG off), with an ingestion token; the cell has 1,000 watchlist terms. Each batch
   is parsed, validated, normalised, matched, toned, stored and counted. Baseline: a
   raw PostgreSQL `COPY` of the same rows (same columns, already prepared) into the same
   table, from this process, on the same empty table (TRUNCATE between the two).
2. Sustained: `--rate` mentions/s for `--sustain-seconds`, batches of rate/5 sent every
   200 ms by two clients; then the rows are counted: lost = sent - stored, duplicated =
   rows - distinct (source, external id).
3. Matching alone, one core: `monitoring.matching.Matcher` (fold + automaton + word,
   hashtag and exclusion checks) against raw pyahocorasick on the same texts with the same
   10,000 terms (no normalisation, no checks): what the normalisation costs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import ws_fanout as procs  # noqa: E402  (scratch database and server command, shared)

BATCH = 10_000
FR = (  # noqa: SIM905  (a word list reads better as text)
    "le la les un une des de du et est pour pas avec sur dans que qui je vous nous produit service "
    "client livraison commande remboursement crème sérum peau réponse élève magasin prix qualité "
    "problème merci vraiment encore toujours jamais depuis hier matin soir semaine équipe marque "
    "nouveau flacon lot rappel"
).split()
EN = (  # noqa: SIM905  (a word list reads better as text)
    "the a and is for not with on in that this you we product service customer delivery order refund "
    "cream serum skin answer store price quality problem thanks really still always never since "
    "yesterday morning evening week team brand new bottle batch recall"
).split()
TONE_WORDS = ["nul", "arnaque", "génial", "merci", "awful", "great", "scam", "love", "déçu", "disappointed"]


def synthetic_terms(count: int, rng: random.Random) -> list[str]:
    """`count` distinct terms: brand-like words, phrases of two words, hashtags and handles."""
    terms, seen = [], set()
    while len(terms) < count:
        kind = len(terms) % 4
        stem = rng.choice(["dur", "hyd", "vel", "mar", "sol", "neo"]) + rng.choice(["and", "ra", "ix", "on"])
        word = f"{stem}{len(terms)}"
        term = {0: word, 1: f"{word} {rng.choice(FR + EN)}", 2: f"#{word}", 3: f"@{word}"}[kind]
        if term not in seen:
            seen.add(term)
            terms.append(term)
    return terms


def synthetic_texts(count: int, terms: list[str], seed: int = 13) -> list[tuple[str, str]]:
    """(language, text) pairs of 12-30 words; about one in five carries a watched term."""
    rng = random.Random(seed)
    texts = []
    for n in range(count):
        language = "fr" if n % 2 else "en"
        words = [rng.choice(FR if language == "fr" else EN) for _ in range(rng.randint(12, 30))]
        if n % 5 == 0:
            words.insert(rng.randrange(len(words)), rng.choice(terms))
        if n % 3 == 0:
            words.append(rng.choice(TONE_WORDS))
        texts.append((language, " ".join(words).capitalize() + "."))
    return texts


def records(texts, *, prefix: str, start: datetime) -> list[dict]:
    return [
        {
            "external_id": f"{prefix}-{n}",
            "text": text,
            "published_at": (start + timedelta(milliseconds=n)).isoformat(),
            "author_handle": f"author{n % 5000}",
            "author_name": f"Author {n % 5000}",
            "author_reach": (n * 37) % 50_000,
            "language": language,
            "url": f"https://social.example/{prefix}/{n}",
            "likes": n % 100,
            "shares": n % 7,
            "replies": n % 3,
        }
        for n, (language, text) in enumerate(texts)
    ]


def copy_baseline(rows: list[dict], *, source_id: int, cell_id: int) -> float:
    """Seconds to COPY the rows (prepared values, tone 0, no match) into monitoring_mention."""
    from django.db import connection

    now = datetime.now(UTC)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(
            "COPY monitoring_mention (source_id, cell_id, received_at, external_id, author_handle, author_name, "
            "author_reach, text, language, url, published_at, likes, shares, replies, tone, matched) FROM STDIN"
        ) as copy:
            for r in rows:
                copy.write_row(
                    (
                        source_id,
                        cell_id,
                        now,
                        r["external_id"],
                        r["author_handle"],
                        r["author_name"],
                        r["author_reach"],
                        r["text"],
                        r["language"],
                        r["url"],
                        r["published_at"],
                        r["likes"],
                        r["shares"],
                        r["replies"],
                        0,
                        "{}",
                    )
                )
    connection.commit() if not connection.get_autocommit() else None
    return time.perf_counter() - started


def post(url: str, key: str, body: bytes) -> dict:
    request = urllib.request.Request(  # noqa: S310  (our own local server)
        url, data=body, method="POST", headers={"Authorization": f"Token {key}", "Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310  (our own local server)
        return json.loads(response.read())


def truncate() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE monitoring_mention, monitoring_pendingsearch, monitoring_mentionsearch,"
            " monitoring_volumecounter, monitoring_alert CASCADE"
        )


def searchable_after(started: float, timeout: float = 600) -> str:
    """When the worker has computed every queued full-text document (seconds since `started`)."""
    from monitoring.models import PendingSearch

    left = PendingSearch.objects.count()
    at_end = time.perf_counter() - started
    while left and time.perf_counter() - started < timeout:
        time.sleep(0.5)
        left = PendingSearch.objects.count()
    done = time.perf_counter() - started
    return (
        f"{left:,} still queued after {done:.0f} s"
        if left
        else f"all computed {done:.1f} s after the start ({at_end:.1f} s: ingestion over)"
    )


def bench_matching(terms_count: int, texts_count: int) -> dict:
    import ahocorasick

    from monitoring.matching import Matcher

    rng = random.Random(7)
    terms = synthetic_terms(terms_count, rng)
    texts = [text for _language, text in synthetic_texts(texts_count, terms, seed=8)]

    from types import SimpleNamespace

    watchlist = SimpleNamespace(
        id=1, terms="\n".join(terms), exclusions="\n".join(terms[-20:]), languages=[], reach_threshold=0
    )
    matcher = Matcher([watchlist])
    raw = ahocorasick.Automaton()
    for term in terms:
        raw.add_word(term, term)
    raw.make_automaton()
    results = {}
    for name, run in [
        ("raw pyahocorasick", lambda: [list(raw.iter(text)) for text in texts]),
        ("Matcher.match", lambda: [matcher.match(text) for text in texts]),
    ]:
        run()  # warm
        best = min(_timed(run) for _ in range(3))
        results[name] = texts_count / best
    matched = sum(1 for text in texts if matcher.match(text))
    return {"rates": results, "matched": matched, "texts": texts_count, "terms": terms_count}


def _timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mentions", type=int, default=200_000)
    parser.add_argument("--sustain-seconds", type=int, default=60)
    parser.add_argument("--rate", type=int, default=5_000)
    parser.add_argument("--terms", type=int, default=1_000)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8105")))
    parser.add_argument("--pg-admin-url", default=procs.DEFAULT_PG_ADMIN_URL)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn processes (production runs 2)")
    parser.add_argument("--skip", default="", help="comma-separated: ingest,sustain,matching")
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))

    if "matching" not in skip:
        figures = bench_matching(10_000, 100_000)
        raw, ours = figures["rates"]["raw pyahocorasick"], figures["rates"]["Matcher.match"]
        print(
            f"Matching, one core, {figures['terms']:,} terms, {figures['texts']:,} texts"
            f" ({figures['matched']:,} matched):"
        )
        print(f"  raw pyahocorasick {raw:12,.0f} texts/s")
        print(f"  Matcher.match     {ours:12,.0f} texts/s   ratio {ours / raw:.2f} (goal >= 0.5; and >= 100,000/s)")
    if {"ingest", "sustain"} <= skip:
        return 0

    name = procs.create_pg_database(args.pg_admin_url)
    database_url = args.pg_admin_url.rsplit("/", 1)[0] + "/" + name
    # Not 5, 6, 7 or 14 (the worker tests'): REDIS_URL, or a db of the bench's own.
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9")
    server = worker = None
    try:
        procs.setup_django(database_url, redis_url)
        from cells.models import Cell
        from monitoring.models import IngestToken, Mention, Source, Watchlist, token_digest

        cell = Cell.objects.create(name="Bench cell")
        source = Source.objects.create(cell=cell, name="bench", kind="api")
        copy_source = Source.objects.create(cell=cell, name="copy", kind="api")
        key = IngestToken.new_key()
        IngestToken.objects.create(source=source, name="bench", digest=token_digest(key))
        terms = synthetic_terms(args.terms, random.Random(5))
        for index in range(10):
            Watchlist.objects.create(
                cell=cell, name=f"W{index}", terms="\n".join(terms[index::10]), spike_min_count=10**9
            )
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "DEBUG": "false",
            "CRISISCELL_LOCAL": "true",
            "DATABASE_POOL": "true",
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        import subprocess

        server = subprocess.Popen(
            procs.server_command("uvicorn", args.port, ("--workers", str(args.workers))),
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "crisiscell.settings"},
            start_new_session=True,
        )

        def start_worker():
            # One Celery worker, as production runs one: it computes the full-text documents
            # (monitoring/search_index.py) and evaluates the watchlists.
            return subprocess.Popen(
                [
                    str(ROOT / ".venv/bin/celery"),
                    "-A",
                    "crisiscell",
                    "worker",
                    "--pool=solo",
                    "--loglevel=WARNING",
                    "--without-gossip",
                    "--without-mingle",
                ],
                cwd=ROOT,
                env={**env, "DJANGO_SETTINGS_MODULE": "crisiscell.settings"},
                start_new_session=True,
            )

        url = f"http://127.0.0.1:{args.port}/api/v1/mentions/batch/"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=2)
                break
            except Exception:
                time.sleep(0.2)

        if "ingest" not in skip:
            start = datetime.now(UTC) - timedelta(hours=2)
            rows = records(synthetic_texts(args.mentions, terms), prefix="m", start=start)
            bodies = [json.dumps(rows[i : i + BATCH]).encode() for i in range(0, len(rows), BATCH)]
            post(url, key, json.dumps(records(synthetic_texts(100, terms, 1), prefix="warm", start=start)).encode())
            truncate()
            copy_seconds = copy_baseline(rows, source_id=copy_source.pk, cell_id=cell.pk)
            truncate()
            started = time.perf_counter()
            # One client per server process, each sending its share of the batches in turn.
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(args.workers) as pool:
                accepted = sum(answer["accepted"] for answer in pool.map(lambda body: post(url, key, body), bodies))
            api_seconds = time.perf_counter() - started
            copy_rate, api_rate = len(rows) / copy_seconds, len(rows) / api_seconds
            print(
                f"Ingestion, {len(rows):,} mentions in batches of {BATCH:,}, {args.terms:,} terms,"
                f" {args.workers} server process(es) and as many clients:"
            )
            print(f"  raw COPY          {copy_rate:12,.0f} rows/s ({copy_seconds:.1f} s)")
            print(
                f"  API end to end    {api_rate:12,.0f} rows/s ({api_seconds:.1f} s, {accepted:,} accepted)"
                f"   ratio {api_rate / copy_rate:.2f} (goal >= 0.5)"
            )
            # The goal names parse, validate, normalise, match, tone, store and count: the
            # documents come after (a Celery task), so the worker starts once the batches
            # are in, and the time it takes for them is the indexing rate.
            worker = start_worker()
            indexing_started = time.perf_counter()
            outcome = searchable_after(indexing_started)
            seconds = time.perf_counter() - indexing_started
            print(
                f"  full-text documents, by one worker afterwards: {outcome};"
                f" {len(rows) / seconds:,.0f} documents/s (the worker's start included)"
            )
            truncate()

        if "sustain" not in skip:
            # Here the worker runs all along, as in production: the documents compete with
            # the ingestion for the two cores.
            worker = worker or start_worker()
            per_tick = args.rate // 5
            ticks = args.sustain_seconds * 5
            texts = synthetic_texts(per_tick * ticks, terms, seed=21)
            rows = records(texts, prefix="s", start=datetime.now(UTC) - timedelta(hours=1))
            bodies = [json.dumps(rows[i : i + per_tick]).encode() for i in range(0, len(rows), per_tick)]
            late = [0]
            lock = threading.Lock()

            def sender(parity: int) -> None:
                t0 = time.perf_counter()
                for tick in range(parity, ticks, 2):
                    due = t0 + tick * 0.2
                    delay = due - time.perf_counter()
                    if delay > 0:
                        time.sleep(delay)
                    elif delay < -0.2:
                        with lock:
                            late[0] += 1
                    post(url, key, bodies[tick])

            started = time.perf_counter()
            threads = [threading.Thread(target=sender, args=(parity,)) for parity in (0, 1)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            stored = Mention.objects.filter(source=source, external_id__startswith="s-").count()
            distinct = (
                Mention.objects.filter(source=source, external_id__startswith="s-")
                .values("external_id")
                .distinct()
                .count()
            )
            sent = len(rows)
            print(
                f"Sustained {args.rate:,}/s for {args.sustain_seconds} s: sent {sent:,} in {elapsed:.1f} s "
                f"({sent / elapsed:,.0f}/s), stored {stored:,}, lost {sent - stored}, duplicated {stored - distinct}, "
                f"batches more than 200 ms late {late[0]}"
            )
            print(f"  full-text documents: {searchable_after(started)}")
    finally:
        import signal

        for process in (server, worker):
            if process is None:
                continue
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(10)
            except Exception:
                os.killpg(process.pid, signal.SIGKILL)
        from django.db import connections

        connections.close_all()
        procs.drop_pg_database(args.pg_admin_url, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
