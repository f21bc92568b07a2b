"""Load the demo cell. Safe to run again: what exists is left as it is.

The apps above incidents (monitoring, the response queue, relays) add their part
through the steps they register in incidents.demo."""

import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from cells.models import Cell, Membership, Role
from facts import claims
from facts import services as facts
from incidents import demo, services
from incidents.models import CrisisType, Incident, LogCategory
from statements import services as statements
from statements.models import Audience, StatementKind

DEMO_PASSWORD = "crisiscell-demo"  # demo only; listed in the README
USERS = [
    # username, first name, last name, role
    ("admin", "Alice", "Admin", Role.ADMIN),
    ("manager", "Marc", "Manager", Role.MANAGER),
    ("member", "Maëlle", "Member", Role.MEMBER),
    ("member2", "Mehdi", "Member", Role.MEMBER),
    ("observer", "Olivia", "Observer", Role.OBSERVER),
]
CELL_NAME = "Démo — Maison Durand"


class Command(BaseCommand):
    help = "Create the demo cell, its users and two incidents (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        User = get_user_model()
        cell, _ = Cell.objects.get_or_create(
            name=CELL_NAME, defaults={"description": "Cellule de crise de démonstration d'une marque de cosmétiques."}
        )
        users = {}
        for username, first, last, role in USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.crisiscell.invalid"},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.is_staff = user.is_superuser = username == "admin"
                user.save()
            Membership.objects.get_or_create(cell=cell, user=user, defaults={"role": role})
            users[username] = user

        if not Incident.objects.filter(
            cell=cell, title="Rumeur : allergènes non déclarés dans la crème Hydra+"
        ).exists():
            rumour = services.incident_create(
                actor=users["member"],
                cell=cell,
                title="Rumeur : allergènes non déclarés dans la crème Hydra+",
                description="Une vidéo TikTok affirme que la crème contient un allergène absent de l'étiquette.",
                crisis_type=CrisisType.RUMOUR,
                severity=2,
                owner=users["manager"],
            )
            services.log_entry_add(
                actor=users["member"],
                incident=rumour,
                text="Vidéo d'origine repérée : 120 000 vues en 3 h, reprise par deux comptes beauté.",
                category=LogCategory.INFORMATION,
                source_url="https://example.org/video-origine",
            )
            services.incident_transition(
                actor=users["member"], incident=rumour, to_level="alert", reason="Volume de mentions x8 en une heure."
            )
            services.log_entry_add(
                actor=users["manager"],
                incident=rumour,
                text="Le service qualité vérifie la composition du lot incriminé.",
                category=LogCategory.ACTION,
            )
        if not Incident.objects.filter(cell=cell, title="Retard de livraisons du Black Friday").exists():
            delays = services.incident_create(
                actor=users["member2"],
                cell=cell,
                title="Retard de livraisons du Black Friday",
                description="Plaintes en hausse sur X au sujet des colis en retard.",
                crisis_type=CrisisType.BACKLASH,
                severity=3,
            )
            services.log_entry_add(
                actor=users["member2"],
                incident=delays,
                text="Une trentaine de plaintes depuis ce matin, ton agacé mais pas viral.",
                category=LogCategory.INFORMATION,
            )
        rumour = Incident.objects.get(cell=cell, title="Rumeur : allergènes non déclarés dans la crème Hydra+")
        if not rumour.facts.exists():
            self.comms_demo(rumour, users)
        delays = Incident.objects.get(cell=cell, title="Retard de livraisons du Black Friday")
        context = demo.Demo(cell=cell, users=users, rumour=rumour, delays=delays, say=self.stdout.write)
        for step in demo.steps():
            step.load(context)
        self.stdout.write(
            self.style.SUCCESS(f"Demo cell “{cell.name}” ready; password for every demo user: {DEMO_PASSWORD}")
        )

    def comms_demo(self, rumour, users):
        """Facts, claims and statements of the rumour: one holding statement out, one answer template in draft."""
        member, member2, manager = users["member"], users["member2"], users["manager"]
        lab = facts.fact_create(
            actor=member,
            incident=rumour,
            text="Le lot 24-117 de la crème Hydra+ ne contient aucun allergène absent de l'étiquette "
            "(analyse du laboratoire qualité du 12 novembre).",
            sources=[
                {"kind": "document", "reference": "Rapport QA-2411, laboratoire qualité", "note": "Signé par la DQ"},
                {"kind": "department", "reference": "Direction qualité", "note": "Confirmé par téléphone"},
            ],
        )
        lab = facts.fact_verify(actor=manager, fact=lab)
        label = facts.fact_create(
            actor=member2,
            incident=rumour,
            text="La liste d'ingrédients imprimée correspond à la formule déposée.",
            sources=[{"kind": "url", "reference": "https://example.org/fiche-produit-hydra", "note": ""}],
        )
        now = timezone.now()
        hidden = claims.claim_create(
            actor=member,
            incident=rumour,
            text="La crème Hydra+ contient un allergène caché, absent de l'étiquette.",
            where="TikTok, puis Instagram",
            url="https://example.org/video-origine",
            estimated_reach=120000,
            language="fr",
            first_seen_at=now - datetime.timedelta(hours=3, minutes=10),
        )
        claims.claim_link_fact(actor=member, claim=hidden, fact=lab, relation="refutes")
        claims.claim_transition(actor=member, claim=hidden, to_status="under_check", note="Analyse demandée au labo")
        claims.claim_create(
            actor=member2,
            incident=rumour,
            text="Maison Durand rappellerait tous ses produits Hydra+.",
            where="X (ex-Twitter)",
            estimated_reach=8000,
            language="fr",
            first_seen_at=now - datetime.timedelta(minutes=50),
        )
        claims.claim_link_fact(actor=member2, claim=hidden, fact=label, relation="refutes")
        holding = statements.statement_create(
            actor=member,
            incident=rumour,
            kind=StatementKind.HOLDING,
            audience=Audience.SOCIAL,
            language="fr",
            title="Communication d'attente — Hydra+",
            text="Nous avons connaissance des messages qui circulent au sujet de la crème Hydra+.\n"
            "Nos équipes qualité ont analysé le lot concerné : il ne contient aucun allergène absent de "
            "l'étiquette.\nNous reviendrons vers vous dans les prochaines heures.",
            cited_facts=[lab.pk],
            answers=[hidden.pk],
        )
        version = statements.version_submit(actor=member, version=holding.versions.get())
        version = statements.version_approve(actor=manager, version=version)
        statements.version_publish(actor=manager, version=version, channel="X et Instagram")
        statements.statement_create(
            actor=member2,
            incident=rumour,
            kind=StatementKind.RESPONSE_TEMPLATE,
            audience=Audience.CUSTOMERS,
            language="fr",
            title="Réponse type aux clients inquiets",
            text="Bonjour, merci de votre message. La composition de la crème Hydra+ est conforme à son étiquette.",
            cited_facts=[label.pk],
        )
