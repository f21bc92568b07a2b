"""The playbooks' part of the demo cell (registered in incidents.demo by PlaybooksConfig.ready()).

Two playbooks a cosmetics brand would write before any crisis (a rumour, a product
defect), the rumour's alert checklist created on the demo rumour (a manager applies
it by hand: the incident reached alert before the playbooks existed), one task done
and one in progress, and the on-call rota of this week and the next. Idempotent: once
the cell has playbooks, nothing is added.
"""

import datetime

from django.utils import timezone

from . import services
from .models import Playbook, RotaSlot, TaskStatus

RUMOUR = {
    "crisis_type": "rumour",
    "name": "Rumeur / fausse information",
    "levels": {
        "watch": {
            "tasks": [
                {
                    "title": "Capturer la publication d'origine (capture, lien, heure)",
                    "description": "Avant qu'elle ne soit supprimée : capture d'écran, lien, nombre de vues.",
                    "role": "member",
                    "due_minutes": 30,
                },
            ]
        },
        "alert": {
            "tasks": [
                {
                    "title": "Trouver la source de la rumeur et qui la relaie",
                    "description": "Premier compte, comptes à forte audience qui la reprennent, hashtags.",
                    "role": "member",
                    "due_minutes": 30,
                },
                {
                    "title": "Faire vérifier les faits par le service qualité",
                    "description": "Composition du lot, analyses, étiquetage : ce qui est établi, avec sa source.",
                    "assignee": "manager",
                    "due_minutes": 60,
                },
                {
                    "title": "Prévenir la direction et le juridique",
                    "role": "manager",
                    "due_minutes": 20,
                },
            ]
        },
        "crisis": {
            "tasks": [
                {"title": "Réunir la cellule (visio ouverte)", "role": "manager", "due_minutes": 15},
                {"title": "Publier le message d'attente", "role": "member", "due_minutes": 45},
                {
                    "title": "Briefer le service client et le standard",
                    "description": "Script d'appel, réponses types validées, à qui transmettre les journalistes.",
                    "role": "member",
                    "due_minutes": 60,
                },
                {"title": "Envoyer le message validé aux relais", "role": "manager", "due_minutes": 120},
            ],
            "statements": [
                {
                    "kind": "holding",
                    "audience": "social",
                    "title": "Message d'attente — rumeur",
                    "text": (
                        "Nous avons connaissance des messages qui circulent au sujet de notre produit. "
                        "Nous vérifions les faits avec nos équipes qualité et reviendrons vers vous très vite. "
                        "Merci de ne relayer que les informations vérifiées."
                    ),
                },
                {
                    "kind": "qa",
                    "audience": "customers",
                    "title": "Q&R — « Le produit est-il dangereux ? »",
                    "text": (
                        "Rien à ce stade ne l'indique. Nos équipes vérifient la composition du lot concerné ; "
                        "nous publierons le résultat dès qu'il sera établi. En cas de réaction, consultez un médecin "
                        "et contactez notre service client."
                    ),
                },
            ],
        },
        "recovery": {
            "tasks": [
                {"title": "Publier le point final avec les faits vérifiés", "role": "manager", "due_minutes": 240},
                {"title": "Préparer le retour d'expérience", "role": "manager", "due_minutes": 1440},
            ]
        },
    },
}

PRODUCT = {
    "crisis_type": "product",
    "name": "Défaut produit / rappel",
    "levels": {
        "alert": {
            "tasks": [
                {
                    "title": "Identifier les lots et les points de vente concernés",
                    "role": "member",
                    "due_minutes": 60,
                },
                {"title": "Prévenir le service qualité et la direction", "role": "manager", "due_minutes": 15},
                {"title": "Recenser les plaintes et les signalements", "role": "member", "due_minutes": 90},
            ]
        },
        "crisis": {
            "tasks": [
                {
                    "title": "Décider du rappel avec la direction et la qualité",
                    "role": "manager",
                    "due_minutes": 60,
                },
                {
                    "title": "Déclarer le rappel aux autorités (RappelConso)",
                    "description": "Si le rappel est décidé : fiche RappelConso, DGCCRF.",
                    "role": "manager",
                    "due_minutes": 120,
                },
                {"title": "Préparer la page du site « rappel produit »", "role": "member", "due_minutes": 120},
                {"title": "Ouvrir la file de réponses aux clients", "role": "member", "due_minutes": 30},
            ],
            "statements": [
                {
                    "kind": "holding",
                    "audience": "press",
                    "title": "Message d'attente — défaut produit",
                    "text": (
                        "Nous avons été informés d'un possible défaut sur certains lots. Par précaution, nous "
                        "analysons les produits concernés et informerons nos clients dans les prochaines heures."
                    ),
                },
            ],
        },
    },
}


def load(demo) -> None:
    cell, manager = demo.cell, demo.users["manager"]
    if Playbook.objects.filter(cell=cell).exists():
        return
    for content in (RUMOUR, PRODUCT):
        services.playbook_save(actor=manager, cell=cell, content=content, note="Version de la démo")
    # The rumour reached alert before the playbooks existed: the manager creates its checklist by hand.
    rumour = demo.rumour
    if rumour.level == "alert" and not rumour.tasks.exists():
        run = services.level_apply(actor=manager, incident=rumour, level="alert")
        tasks = list(run.tasks.order_by("position"))
        if tasks:
            services.task_move(actor=tasks[0].assignee or manager, task=tasks[0], to=TaskStatus.DONE)
        if len(tasks) > 1:
            services.task_move(actor=tasks[1].assignee or manager, task=tasks[1], to=TaskStatus.DOING)
    # On call: the manager this week, the member the next (out of hours, weekends).
    monday = timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0)
    monday -= datetime.timedelta(days=monday.weekday())
    week = datetime.timedelta(days=7)
    if not RotaSlot.objects.filter(cell=cell).exists():
        services.rota_add(actor=manager, cell=cell, user=manager, starts_at=monday, ends_at=monday + week)
        services.rota_add(
            actor=manager, cell=cell, user=demo.users["member"], starts_at=monday + week, ends_at=monday + 2 * week
        )
    demo.say("Playbooks: rumour and product defect, the rumour's alert checklist, the on-call rota.")
