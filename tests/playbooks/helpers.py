"""A playbook to apply: tasks for alert and crisis, a holding statement pre-drafted for crisis."""

from playbooks import services

CONTENT = {
    "crisis_type": "other",
    "name": "Rumeur / fausse information",
    "levels": {
        "alert": {
            "tasks": [
                {"title": "Trouver la source de la rumeur", "role": "member", "due_minutes": 30},
                {"title": "Prévenir la direction", "assignee": "mona", "due_minutes": 15},
            ]
        },
        "crisis": {
            "tasks": [
                {"title": "Réunir la cellule", "role": "manager", "due_minutes": 10},
                {"title": "Publier le message d'attente", "role": "member", "due_minutes": 45},
                {"title": "Brief du standard", "description": "Script d'appel", "due_minutes": 60},
            ],
            "statements": [
                {
                    "kind": "holding",
                    "audience": "social",
                    "title": "Message d'attente",
                    "text": "Nous avons connaissance des messages qui circulent et vérifions les faits.",
                }
            ],
        },
    },
}


def save_playbook(manager, cell, content=None):
    return services.playbook_save(actor=manager, cell=cell, content=content or CONTENT)
