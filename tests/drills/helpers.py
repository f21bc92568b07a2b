SCENARIO = {
    "name": "Faux rappel produit",
    "crisis_type": "rumour",
    "description": "Une rumeur de rappel circule sur Facebook.",
    "injects": [
        {"at": 0, "kind": "log", "text": "Appel d'un journaliste du Parisien"},
        {"at": 60, "kind": "claim", "text": "Le produit serait rappelé"},
        {"at": 120, "kind": "question", "text": "La direction demande un point à 15 h"},
    ],
}
