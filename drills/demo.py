"""The drills' part of the demo cell (registered in incidents.demo by DrillsConfig.ready()).

A scenario the cell trains on: the rumour of a product recall, scripted over 30 minutes
(a journalist's call, a wave of posts into monitoring, the rumour in the claims register,
management's question). No drill is started: starting one is what the demo lets people try.
"""

from . import services
from .models import Scenario

SCENARIO = {
    "name": "Exercice — faux rappel de la crème Hydra+",
    "crisis_type": "rumour",
    "description": (
        "Un samedi matin, un compte anonyme affirme que la crème Hydra+ est rappelée pour un allergène. "
        "La cellule doit établir les faits, publier un message d'attente validé et répondre à la presse."
    ),
    "injects": [
        {
            "at": 0,
            "kind": "log",
            "text": "Le standard signale trois appels de clientes inquiètes : « la crème est-elle rappelée ? »",
        },
        {
            "at": 120,
            "kind": "claim",
            "text": "La crème Hydra+ serait rappelée dans toute la France pour un allergène non déclaré.",
        },
        {
            "at": 180,
            "kind": "mention",
            "text": "Hydra+ rappelée pour un allergène caché ?! Durand ne dit rien, c'est une honte #rappeldurand",
            "count": 30,
            "author": "beautyleaks",
            "reach": 240000,
        },
        {
            "at": 300,
            "kind": "log",
            "text": "Appel de Camille Roche (Le Mag Conso) : elle publie à 11 h et veut une réaction d'ici là.",
        },
        {
            "at": 600,
            "kind": "question",
            "text": "La direction générale veut un point écrit avant 10 h 30 : faits, risques, message.",
        },
        {
            "at": 1200,
            "kind": "log",
            "text": "Une pharmacienne partenaire demande si elle doit retirer le produit de ses rayons.",
        },
        {
            "at": 1800,
            "kind": "question",
            "text": "Le juridique demande si un rappel officiel est envisagé : qui décide, et quand ?",
        },
    ],
}


def load(demo) -> None:
    cell, manager = demo.cell, demo.users["manager"]
    if Scenario.objects.filter(cell=cell).exists():
        return
    services.scenario_save(actor=manager, cell=cell, content=SCENARIO)
    demo.say("Drills: one scenario (a false product recall) ready to start.")
