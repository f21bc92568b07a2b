"""What the drills app plugs into the apps below it (called from DrillsConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from incidents import log_kinds
from notifications import registry

from .models import DrillLogKind, DrillNotice


def _question_body(values: dict) -> str:
    # The scripted question as the scenario wrote it.
    return str(values.get("text") or "")


def _signal_labels(data: dict) -> dict:
    from monitoring.models import AlertCause

    cause = data.get("cause")
    return {"cause_label": str(AlertCause(cause).label) if cause in AlertCause.values else cause or "?"}


def register() -> None:
    # An inject may add a claim (claims), posts to the drill's queue (queue); it changes the summary (glance).
    log_kinds.register(
        DrillLogKind.DRILL,
        label=DrillLogKind.DRILL.label,
        panels=["glance", "claims", "queue", "log"],
        sentences={
            "signal": _(
                "Exercise: %(cause_label)s on “%(watchlist_name)s” (%(count)s posts of the drill); "
                "its watchers were told."
            ),
        },
        labels=_signal_labels,
    )
    registry.register_kind(DrillNotice.DRILL.value, DrillNotice.DRILL.label)
    registry.register_wording("drills.inject", title=_("Question from management: %(incident)s"), body=_question_body)
