"""Load the demo cell. Safe to run again: what exists is left as it is.

The apps above incidents (statements, monitoring, the response queue, relays) add their part
through the steps they register in incidents.demo."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from cells.models import Cell, Membership, Role
from incidents import demo, services
from incidents.models import CrisisType, Incident, LogCategory

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
        delays = Incident.objects.get(cell=cell, title="Retard de livraisons du Black Friday")
        context = demo.Demo(cell=cell, users=users, rumour=rumour, delays=delays, say=self.stdout.write)
        for step in demo.steps():
            step.load(context)
        self.stdout.write(
            self.style.SUCCESS(f"Demo cell “{cell.name}” ready; password for every demo user: {DEMO_PASSWORD}")
        )
