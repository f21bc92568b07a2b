"""File imports of listening-tool exports: CSV or JSONL, a column mapping (or a preset for a
common layout), read in chunks and stored through the same ingestion as the API.

A mapping names, for each mention field, the column that holds it, e.g.
{"external_id": "Id", "text": "Content", "published_at": "Date", ...}. Presets are
mappings for the layouts we meet; `detect_preset` picks the one whose columns are all in
the file's header. Dates: ISO 8601, or "YYYY-MM-DD HH:MM[:SS]" and "DD/MM/YYYY HH:MM[:SS]"
(a date without a zone is taken as UTC, and the report says so).
"""

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from . import ingest, problems
from .ingest import MentionIn
from .models import ImportJob, ImportStatus

CHUNK = 2_000
MAX_IMPORT_BYTES = 20 * 1024 * 1024
KEPT_ERRORS = 100
FIELDS = [
    "external_id",
    "text",
    "published_at",
    "author_handle",
    "author_name",
    "author_reach",
    "language",
    "url",
    "likes",
    "shares",
    "replies",
]
REQUIRED = ["external_id", "text", "published_at"]
INTEGERS = {"author_reach", "likes", "shares", "replies"}

PRESETS: dict[str, dict] = {
    # Our own field names (what GET /api/v1/cells/{id}/monitoring/mentions/ gives back).
    "crisiscell": {field: field for field in FIELDS},
    # A common English export layout of social-listening tools.
    "listening-en": {
        "external_id": "Id",
        "text": "Content",
        "published_at": "Date",
        "author_handle": "Author",
        "author_name": "Author Name",
        "author_reach": "Followers",
        "language": "Language",
        "url": "Url",
        "likes": "Likes",
        "shares": "Shares",
        "replies": "Comments",
    },
    # The same in French.
    "listening-fr": {
        "external_id": "Identifiant",
        "text": "Texte",
        "published_at": "Date",
        "author_handle": "Auteur",
        "author_name": "Nom",
        "author_reach": "Abonnés",
        "language": "Langue",
        "url": "Lien",
        "likes": "J'aime",
        "shares": "Partages",
        "replies": "Commentaires",
    },
}
DATE_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d", "%d/%m/%Y"]


class ImportError_(Exception):
    """The file as a whole cannot be read (the job fails with this problem)."""

    def __init__(self, problem: problems.Problem):
        super().__init__(problem)
        self.problem = problem

    def __str__(self) -> str:
        return str(self.problem)


def read_rows(content: bytes, file_format: str) -> tuple[list[str], Iterator[dict]]:
    """(header, rows as dicts) of a CSV (comma or semicolon, UTF-8 with or without BOM) or JSONL file."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportError_(problems.Problem("not_utf8")) from error
    if file_format == "jsonl":
        return [], _jsonl_rows(text)
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = reader.fieldnames or []
    if not header:
        raise ImportError_(problems.Problem("no_header"))
    return header, iter(reader)


def _jsonl_rows(text: str) -> Iterator[dict]:
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            yield {"__error__": "not_object"}
            continue
        yield value if isinstance(value, dict) else {"__error__": "not_object"}


def count_rows(content: bytes, file_format: str) -> int:
    return sum(1 for _ in read_rows(content, file_format)[1])


def detect_preset(header: list[str]) -> str:
    columns = set(header)
    for name, mapping in PRESETS.items():
        if all(mapping[field] in columns for field in REQUIRED):
            return name
    return ""


def _date(value) -> datetime | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = None
        for pattern in DATE_FORMATS:
            try:
                moment = datetime.strptime(text, pattern)  # noqa: DTZ007  (made aware just below)
                break
            except ValueError:
                continue
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def to_record(row: dict, mapping: dict) -> tuple[MentionIn | None, problems.Problem | None]:
    """(record, None) or (None, problem)."""
    if "__error__" in row:
        return None, problems.Problem(row["__error__"])
    values = {}
    for field in FIELDS:
        column = mapping.get(field)
        if not column:
            continue
        value = row.get(column)
        if field in INTEGERS:
            raw = str(value or "").replace(" ", "").replace("\u202f", "").replace(",", "")
            if not raw:
                continue
            if not raw.isdigit():
                return None, problems.Problem("not_number", {"field": column, "value": str(value)[:30]})
            values[field] = int(raw)
        elif field == "published_at":
            moment = _date(value)
            if moment is None:
                return None, problems.Problem("not_date", {"field": column, "value": str(value)[:30]})
            values[field] = moment
        else:
            values[field] = str(value or "")
    for field in REQUIRED:
        if not values.get(field):
            return None, problems.Problem("missing", {"field": mapping.get(field) or field})
    limits = {"external_id": 200, "text": 20_000, "author_handle": 200, "author_name": 200, "language": 8, "url": 1000}
    for field, limit in limits.items():
        if len(values.get(field, "")) > limit:
            return None, problems.Problem("too_long", {"field": mapping.get(field), "limit": limit})
    return MentionIn(**values), None


@dataclass
class Progress:
    total: int
    processed: int = 0
    kept: int = 0
    duplicates: int = 0
    errors: list | None = None
    error_count: int = 0


def run(job: ImportJob, on_progress: Callable[[Progress], None] | None = None) -> Progress:
    """Import the job's file chunk by chunk; each chunk is one ingestion (one transaction)."""
    header, rows = read_rows(bytes(job.content), job.file_format)
    mapping = job.mapping or PRESETS.get(job.preset) or PRESETS.get(detect_preset(header), {})
    if job.file_format == "csv":
        missing = [mapping.get(field) or field for field in REQUIRED if mapping.get(field) not in header]
        if missing:
            raise ImportError_(problems.Problem("columns_missing", {"columns": ", ".join(missing)}))
    progress = Progress(total=job.total or count_rows(bytes(job.content), job.file_format), errors=[])
    chunk: list[MentionIn | None] = []
    chunk_errors: list[dict] = []
    number = 0

    def flush():
        result = ingest.ingest_records(job.source, chunk, chunk_errors)
        progress.processed += len(chunk)
        progress.kept += result.accepted
        progress.duplicates += result.duplicates
        progress.error_count += len(result.errors)
        for error in result.errors:
            if len(progress.errors) < KEPT_ERRORS:
                problem = error["problem"]
                # Worded when shown (ImportJob.error_lines), in the reader's language.
                progress.errors.append(
                    {"row": first_row + error["index"], **problem.as_data(), "reason": problem.english()}
                )
        chunk.clear()
        chunk_errors.clear()
        if on_progress:
            on_progress(progress)

    first_row = 1
    for number, row in enumerate(rows, start=1):
        record, problem = to_record(row, mapping)
        if problem:
            chunk_errors.append({"index": len(chunk), "problem": problem})
        chunk.append(record)
        if len(chunk) >= CHUNK:
            flush()
            first_row = number + 1
    if chunk:
        flush()
    progress.total = max(progress.total, number)
    return progress


def run_job(job_id: int) -> ImportJob | None:
    """Claim a queued job (a retried task finds it running or done and does nothing), run it,
    write progress as it goes and the report at the end."""
    from . import broadcast

    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(status=ImportStatus.RUNNING)
    if not claimed:
        return None
    job = ImportJob.objects.select_related("source").get(pk=job_id)

    def save(progress: Progress, **extra):
        with transaction.atomic():
            ImportJob.objects.filter(pk=job.pk).update(
                total=progress.total,
                processed=progress.processed,
                kept=progress.kept,
                duplicates=progress.duplicates,
                error_count=progress.error_count,
                errors=progress.errors or [],
                **extra,
            )
            broadcast.import_progress(cell_id=job.cell_id, job_id=job.pk)

    try:
        progress = run(job, on_progress=save)
    except ImportError_ as error:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED,
            problem=error.problem.english()[:500],
            problem_data=error.problem.as_data(),
            finished_at=timezone.now(),
        )
        with transaction.atomic():
            broadcast.import_progress(cell_id=job.cell_id, job_id=job.pk)
        return ImportJob.objects.get(pk=job.pk)
    save(progress, status=ImportStatus.DONE, finished_at=timezone.now())
    return ImportJob.objects.get(pk=job.pk)
