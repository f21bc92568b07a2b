"""Its part of the demo cell (`manage.py load_demo`, registered in StatementsConfig.ready): the
rumour's facts, claims and statements: one holding statement out, one answer template in draft."""

import datetime

from django.utils import timezone

from facts import claims
from facts import services as facts

from . import services as statements
from .models import Audience, StatementKind


def load(demo) -> None:
    if demo.rumour.facts.exists():  # already there: a step runs once
        return
    _comms(demo.rumour, demo.users)


def _comms(rumour, users):
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
