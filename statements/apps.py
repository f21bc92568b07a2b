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
        # Holding statements are reviewed at the pace of the incident's level.
        from incidents.signals import level_changed

        from .review import on_level_changed

        level_changed.connect(on_level_changed, dispatch_uid="statements.review.level_changed")
        # Its part of `manage.py load_demo`: the rumour's facts, claims and statements, first.
        from incidents import demo as demo_steps

        from .demo import load

        demo_steps.register("statements", load, order=0)
