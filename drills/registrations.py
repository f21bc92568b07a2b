"""What the drills app plugs into the apps below it (called from DrillsConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from incidents import log_kinds
from notifications import registry

from .models import DrillLogKind, DrillNotice


def _question_body(values: dict) -> str:
    # The scripted question as the scenario wrote it.
    return str(values.get("text") or "")


def register() -> None:
    # An inject may add a claim (claims) and changes the summary (glance).
    log_kinds.register(DrillLogKind.DRILL, label=DrillLogKind.DRILL.label, panels=["glance", "claims", "log"])
    registry.register_kind(DrillNotice.DRILL.value, DrillNotice.DRILL.label)
    registry.register_wording("drills.inject", title=_("Question from management: %(incident)s"), body=_question_body)
