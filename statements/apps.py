from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatementsConfig(AppConfig):
    name = "statements"
    verbose_name = _("Statements")

    def ready(self):
        # What the incident list counts and the closing checklist lists (incidents.attention).
        from .attention import register_concerns

        register_concerns()
        # Its crisis-log kinds and wording, the objects it lets people name and lock.
        from .registrations import register

        register()
        # A refuted or retracted fact flags the statements that cite it.
        from facts.signals import fact_discredited

        from .cascade import on_fact_discredited

        fact_discredited.connect(on_fact_discredited, dispatch_uid="statements.cascade.fact_discredited")
