"""The response queue's part of the demo cell (registered in incidents.demo by ResponseQueueConfig.ready()).

Two rules of the cell, the scan job run once over monitoring's demo mentions (it
queues the customers' questions and the loud authors on the most urgent open
incident: the rumour), then the work of the last hours: items answered, closed
without a reply, escalated, claimed, assigned, and a few still new, one overdue.
The items and their moves go through the services; only their times are then set
back to when the mentions came in (the services stamp "now"), so that the figures
and the hourly chart show hours of work, not one instant.
"""

from datetime import timedelta

from django.utils import timezone

from . import claims, integration, services, sla, tasks
from .models import QueueItem, QueueRule, RuleKind

# Minutes from an item's arrival to its answer: within the alert level's 2 hours, but one late.
ANSWER_MINUTES = [18, 35, 130]
REPLY = (
    "Bonjour {author}, merci de votre message. Le lot 24-117 de la crème Hydra+ a été analysé par notre "
    "laboratoire : il ne contient aucun allergène absent de l'étiquette. Notre service client reste à votre "
    "écoute (réf. {ticket})."
)


def _set_back(item: QueueItem, *, created, policy, level: str) -> None:
    due = sla.due_at(policy, level, created)
    QueueItem.objects.filter(pk=item.pk).update(created_at=created, due_at=due, next_reminder_at=due)


def load(demo) -> None:
    cell, rumour, users = demo.cell, demo.rumour, demo.users
    manager, member, member2 = users["manager"], users["member"], users["member2"]
    if QueueRule.objects.filter(cell=cell).exists():
        return
    services.rule_save(
        actor=manager,
        cell=cell,
        name="Clients qui demandent une réponse",
        kind=RuleKind.TERMS,
        terms="rembourser\nremboursement\nrépondez",
    )
    services.rule_save(actor=manager, cell=cell, name="Comptes très suivis", kind=RuleKind.REACH, min_reach=300000)
    tasks.scan_cell(cell.pk)

    now = timezone.now()
    policy = sla.policy_for(cell)
    items = list(QueueItem.objects.filter(incident=rumour).select_related("mention", "incident").order_by("pk"))
    for item in items:
        _set_back(item, created=item.mention.published_at + timedelta(minutes=4), policy=policy, level=rumour.level)
    items = sorted(
        QueueItem.objects.filter(incident=rumour).select_related("mention", "incident"), key=lambda i: i.created_at
    )
    template = integration.usable_templates(rumour).first()
    by_text = {item.mention.text: item for item in items}
    hostile = next((item for text, item in by_text.items() if "menteurs" in text), None)
    lawyer = next((item for text, item in by_text.items() if "avocat" in text), None)
    rest = [item for item in items if item not in (hostile, lawyer)]
    # The oldest are answered (from the published template when there is one, else by the manager).
    for item, minutes in zip(rest, ANSWER_MINUTES, strict=False):
        if template is not None:
            done = services.answer(actor=manager, item=item, template=template, channel="X")
        else:
            done = services.answer(actor=manager, item=item, text=_reply(item), channel="X")
        QueueItem.objects.filter(pk=done.pk).update(
            done_at=min(item.created_at + timedelta(minutes=minutes), now - timedelta(minutes=1)),
            assigned_at=item.created_at + timedelta(minutes=5),
        )
    rest = rest[len(ANSWER_MINUTES) :]
    if hostile is not None:
        closed = services.close_without_reply(
            actor=member, item=hostile, reason="Message insultant, sans question : on ne répond pas."
        )
        QueueItem.objects.filter(pk=closed.pk).update(done_at=hostile.created_at + timedelta(minutes=9))
    if lawyer is not None:
        escalated = services.escalate(
            actor=member2, item=lawyer, reason="Menace de plainte : à voir avec le juridique avant toute réponse."
        )
        QueueItem.objects.filter(pk=escalated.pk).update(done_at=lawyer.created_at + timedelta(minutes=12))
    # Then one claimed by a member (now overdue), one assigned by the manager; the newest stay new.
    if rest:
        services.claim(actor=member, item=rest.pop(0))
    if rest:
        services.assign(actor=manager, item=rest.pop(0), assignee=member2)
    # The rumour's claim, tied to the mentions that carry it (its spread shows on the claim).
    claim = rumour.claims.filter(text__icontains="allergène caché").first()
    if claim is not None:
        carriers = integration.mentions_of_cell(cell.pk).filter(text__icontains="allergène caché").order_by("pk")[:6]
        for mention in carriers:
            claims.link(actor=member, claim=claim, mention_id=mention.pk)
    demo.say(f"Response queue: {QueueItem.objects.filter(incident=rumour).count()} items.")


def _reply(item: QueueItem) -> str:
    author = item.mention.author_handle or item.mention.author_name
    return services.fill_placeholders(REPLY, author=f"@{author}", ticket=f"R-{item.pk}")
