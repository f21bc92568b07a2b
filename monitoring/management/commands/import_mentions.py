"""manage.py import_mentions CELL FILE [--preset NAME] [--map field=column ...]

Imports a listening tool's export (CSV or JSONL) into the cell's file source, in this
process, with a progress bar on the terminal and the report at the end (rows kept,
duplicates, errors with their row numbers), in the project's language (LANGUAGE_CODE)."""

import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from cells.models import Cell
from monitoring import imports, problems, services
from monitoring.models import ImportJob, ImportStatus


def grouped(value: int) -> str:
    return formats.number_format(value, force_grouping=True)


def bar(done: int, total: int, width: int = 40) -> str:
    share = done / total if total else 1
    filled = int(width * share)
    return f"[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} {share:4.0%}"


class Command(BaseCommand):
    help = "Import mentions from a CSV or JSONL export into a cell (with a progress bar)."

    def add_arguments(self, parser):
        parser.add_argument("cell", type=int, help="the cell's id")
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=["csv", "jsonl"], default="")
        parser.add_argument("--preset", choices=list(imports.PRESETS), default="")
        parser.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN")

    def handle(self, *args, **options):
        cell = Cell.objects.filter(pk=options["cell"]).first()
        if cell is None:
            raise CommandError(_("No cell %(cell)s.") % {"cell": options["cell"]})
        try:
            content = options["file"].read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": options["file"], "error": error}
            ) from error
        try:
            mapping = services.parse_mapping("\n".join(options["map"]))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        file_format = options["format"] or ("jsonl" if options["file"].suffix in (".jsonl", ".ndjson") else "csv")
        try:
            header, _rows = imports.read_rows(content, file_format)
        except imports.ImportError_ as error:
            raise CommandError(str(error)) from error
        preset = options["preset"] or ("" if mapping else imports.detect_preset(header) or "crisiscell")
        with transaction.atomic():
            job = ImportJob.objects.create(
                cell=cell,
                source=services.file_source(cell),
                filename=options["file"].name[:200],
                file_format=file_format,
                preset=preset,
                mapping=mapping,
                content=content,
                total=imports.count_rows(content, file_format),
                status=ImportStatus.RUNNING,
            )
        out = sys.stderr if not self.stdout.isatty() else self.stdout

        def show(progress):
            out.write("\r" + bar(progress.processed, progress.total))
            out.flush()

        try:
            progress = imports.run(job, on_progress=show)
        except imports.ImportError_ as error:
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportStatus.FAILED, problem=error.problem.english()[:500], problem_data=error.problem.as_data()
            )
            raise CommandError(str(error)) from error
        out.write("\n")
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.DONE,
            processed=progress.processed,
            kept=progress.kept,
            duplicates=progress.duplicates,
            error_count=progress.error_count,
            errors=progress.errors,
        )
        self.stdout.write(
            _("%(kept)s kept, %(duplicates)s duplicates, %(errors)s errors (of %(rows)s rows).")
            % {
                "kept": grouped(progress.kept),
                "duplicates": grouped(progress.duplicates),
                "errors": grouped(progress.error_count),
                "rows": grouped(progress.processed),
            }
        )
        for error in progress.errors[:20]:
            line = _("row %(row)s: %(reason)s") % {"row": error["row"], "reason": problems.word(error, error["reason"])}
            self.stdout.write(f"  {line}")
