"""Read delivery status notifications (bounces) and mark the briefing deliveries they report.

The mail server pipes each message for the bounce address into it:
    bounces: "|/app/.venv/bin/python /app/manage.py process_bounces"
or give it the files of an exported mailbox: `manage.py process_bounces mail/*.eml`.
Idempotent: the same DSN read twice marks nothing the second time.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from relays import bounces, services


class Command(BaseCommand):
    help = "Mark briefing e-mails bounced from delivery status notifications (files, or one message on stdin)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="raw messages (.eml); none: one message on standard input")

    def handle(self, *args, files, **options):
        sources = [(name, Path(name)) for name in files] or [("stdin", None)]
        bounced = 0
        for name, path in sources:
            try:
                raw = path.read_bytes() if path is not None else sys.stdin.buffer.read(bounces.MAX_BYTES + 1)
            except OSError as error:
                raise CommandError(f"{name}: cannot be read ({error.strerror}).") from None
            result = services.process_dsn(raw)
            bounced += len(result["bounced"])
            for delivery_id in result["bounced"]:
                self.stdout.write(f"{name}: delivery {delivery_id} bounced")
            for delivery_id, why in result["ignored"]:
                self.stdout.write(f"{name}: ignored{f' (delivery {delivery_id})' if delivery_id else ''}: {why}")
        self.stdout.write(f"{bounced} bounced")
