"""Verify the crisis log (hash chain and signed checkpoints outside the database): one incident or all.

Prints one line per broken log and exits with status 1 when any is broken,
so that cron or CI can alert on it.
"""

from django.core.management.base import BaseCommand, CommandError

from incidents.log_verification import verify_log
from incidents.models import Incident


class Command(BaseCommand):
    help = "Verify the tamper-evident crisis log; report the first broken entry; exit 1 if any log is broken."

    def add_arguments(self, parser):
        parser.add_argument("--incident", type=int, metavar="ID", help="Verify only this incident's log.")

    def handle(self, *args, incident=None, **options):
        incidents = Incident.objects.order_by("pk").only("pk", "title")
        if incident is not None:
            incidents = incidents.filter(pk=incident)
            if not incidents.exists():
                raise CommandError(f"No incident with id {incident}.")
        broken = checked = 0
        for item in incidents.iterator():
            report = verify_log(item.pk)
            checked += report.checked
            if report.valid:
                if options["verbosity"] > 1:
                    self.stdout.write(
                        f"incident {item.pk}: {report.checked} entries, chain valid, "
                        f"#1 to #{report.covered_seq} covered by a signed checkpoint"
                    )
                continue
            broken += 1
            where = f"entry {report.first_broken}" if report.first_broken is not None else "the end of the log"
            self.stderr.write(
                f"incident {item.pk} ({item.title}): BROKEN at {where} (#{report.first_broken_seq}): {report.problem}"
            )
        if broken:
            raise CommandError(f"{broken} crisis log(s) broken.", returncode=1)
        self.stdout.write(self.style.SUCCESS(f"Crisis logs valid: {checked} entries checked."))
