from celery import shared_task
from django.utils import timezone

from incidents.models import EditLock

from . import presence


@shared_task(acks_late=True)
def purge_stale_presence_and_locks() -> dict:
    """Presence rows of sockets whose process died, and lapsed edit locks. Idempotent."""
    locks, _ = EditLock.objects.filter(expires_at__lt=timezone.now()).delete()
    return {"presence": presence.purge_stale(), "locks": locks}
