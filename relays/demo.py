"""The relays' part of the demo cell (registered in incidents.demo by RelaysConfig.ready()).

Six relays (five who agreed to be contacted, one journalist not asked), a
distribution list, and the rumour's published holding statement briefed to that
list: sent and acknowledged, shared (relayed), opened, not answered yet, and one
not contacted because an earlier e-mail bounced. The deliveries go through the
services; the demo's addresses are fictitious, so its e-mails go nowhere.
"""

import datetime

from django.test.utils import override_settings
from django.utils import timezone

from . import services
from .models import Answer, DeliveryStatus, Relay

LIST_NAME = "Santé et peaux sensibles"
RELAYS = [
    # name, organisation, kind, e-mail, reach, consent given?, handle
    ("Dr Sophie Marchand", "Dermatologue, CHU de Tours", "expert", "s.marchand@demo.invalid", 86000, True,
     "dr.marchand.derm"),
    ("Léa Fontaine", "Blog « Peau zen »", "influencer", "lea@peauzen.invalid", 120000, True, "lea.peauzen"),
    ("Association Peaux Sensibles", "Association de patients", "partner", "contact@peaux-sensibles.invalid",
     15000, True, "peauxsensibles"),
    ("Thomas Girard", "Maison Durand, usine de Chartres", "ambassador", "t.girard@maisondurand.invalid", 2400,
     True, "thomas.girard"),
    ("Nadia Benali", "Pharmacie des Lilas", "partner", "nadia@pharmalilas.invalid", 3100, True, "pharma_des_lilas"),
    ("Camille Roche", "Le Mag Conso", "journalist", "c.roche@lemagconso.invalid", 1250000, False, "camilleroche"),
]  # fmt: skip


def load(demo) -> None:
    cell, rumour, manager, member = demo.cell, demo.rumour, demo.users["manager"], demo.users["member"]
    if Relay.objects.filter(cell=cell).exists():
        return
    consented = timezone.localdate() - datetime.timedelta(days=60)
    relays = []
    for name, organisation, kind, email, reach, agreed, handle in RELAYS:
        relays.append(
            services.relay_create(
                actor=manager,
                cell=cell,
                name=name,
                organisation=organisation,
                kind=kind,
                email=email,
                languages=["fr"],
                topics=["cosmétique", "santé"] if kind != "ambassador" else ["cosmétique", "entreprise"],
                reach=reach,
                consent="given" if agreed else "unknown",
                consent_how="Formulaire signé au salon Cosmetica" if agreed else "",
                consent_at=consented if agreed else None,
                handles=[{"network": "x", "handle": handle}],
            )
        )
    # An address that bounced last month: the briefing leaves this relay out, and says why.
    services.relay_mark_bounced(actor=manager, relay=relays[4])
    health = services.list_save(
        actor=manager,
        cell=cell,
        name=LIST_NAME,
        description="Experts, patients et pharmaciens qui relaient une parole vérifiée sur nos soins.",
        relays=[relay.pk for relay in relays[:5]],
    )
    holding = rumour.statements.filter(kind="holding", versions__status="published").first()
    version = holding.versions.filter(status="published").first() if holding else None
    if version is None:
        return
    briefing = services.brief(
        actor=manager,
        version=version,
        lists=[health.pk],
        note="Merci de relayer si vous le jugez utile : l'analyse du lot est disponible sur demande.",
    )
    # The demo's addresses are fictitious: sent through the real path, into a backend that keeps them
    # in memory (a cell with a real EMAIL_URL must not write to them; the console would print them all).
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        for delivery in briefing.deliveries.filter(status=DeliveryStatus.PENDING).order_by("pk"):
            services.deliver(delivery.pk)
    answers = {
        relays[0].pk: (Answer.ACKNOWLEDGED, ""),
        relays[1].pk: (Answer.SHARED, "https://social.example/@lea.peauzen/briefing-hydra"),
    }
    for delivery in briefing.deliveries.filter(status=DeliveryStatus.SENT).select_related("relay"):
        if delivery.relay_id in answers or delivery.relay_id == relays[3].pk:
            services.record_open(delivery)
        if delivery.relay_id in answers:
            answer, url = answers[delivery.relay_id]
            services.answer_by_relay(delivery=delivery, answer=answer, url=url)
        elif delivery.relay_id == relays[3].pk:
            services.mark_relayed(
                actor=member, delivery=delivery, url="https://social.example/@thomas.girard/hydra-analyse"
            )
    demo.say(f"Relays: {len(relays)} relays, one list, one briefing.")
