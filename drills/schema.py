"""A scenario's rules, for the API and the YAML import (errors name their place, hence their line).

scenarios:
  - name: Rumeur de rappel produit
    crisis_type: rumour
    description: ...
    injects:
      - {at: 60, kind: log, text: "Appel d'un journaliste du Parisien"}
      - {at: 300, kind: claim, text: "Le produit serait rappelé"}
      - {at: 600, kind: mention, text: "Rappel de la crème ?!", count: 40, author: beautyleaks, reach: 250000}
"""

from django.utils.translation import gettext as _

from incidents.models import CrisisType
from playbooks.schema import Checker

from .models import InjectKind

MAX_OFFSET = 24 * 3600
MAX_WAVE = 500
MAX_REACH = 10**9
SCENARIO_FIELDS = {"name", "crisis_type", "description", "injects"}
WAVE_FIELDS = {"count", "author", "reach"}
INJECT_FIELDS = {"at", "kind", "text"} | WAVE_FIELDS


class ScenarioChecker(Checker):
    def inject(self, raw, path) -> dict:
        raw = self.mapping(raw, path, INJECT_FIELDS) or {}
        at = raw.get("at")
        if not isinstance(at, int) or isinstance(at, bool) or not 0 <= at <= MAX_OFFSET:
            self.fail((*path, "at"), _("Give whole seconds after the start, 0 to %(max)s.") % {"max": MAX_OFFSET})
            at = 0
        kind = raw.get("kind")
        if kind is None:
            self.fail((*path, "kind"), _("This field is required."))
        cleaned = {
            "at": at,
            "kind": self.choice(kind, (*path, "kind"), InjectKind, default=InjectKind.LOG),
            "text": self.text(raw.get("text"), (*path, "text"), required=True, limit=2000),
        }
        if cleaned["kind"] == InjectKind.MENTION:
            cleaned |= self.wave(raw, path)
        else:
            for name in sorted(WAVE_FIELDS & set(raw)):
                self.fail((*path, name), _("Only a mention inject (kind: mention) takes “%(name)s”.") % {"name": name})
        return cleaned

    def wave(self, raw, path) -> dict:
        """A wave of posts: how many (the same text, as shares of one post), by whom, with what reach."""
        count, reach = raw.get("count", 1), raw.get("reach", 0)
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_WAVE:
            self.fail((*path, "count"), _("Give how many posts, a whole number from 1 to %(max)s.") % {"max": MAX_WAVE})
            count = 1
        if not isinstance(reach, int) or isinstance(reach, bool) or not 0 <= reach <= MAX_REACH:
            self.fail(
                (*path, "reach"),
                _("Give the author's followers, a whole number from 0 to %(max)s.") % {"max": MAX_REACH},
            )
            reach = 0
        author = self.text(raw.get("author"), (*path, "author"), required=False, limit=100).lstrip("@")
        return {"count": count, "author": author, "reach": reach}

    def scenario(self, raw, path=()) -> dict:
        raw = self.mapping(raw, path, SCENARIO_FIELDS) or {}
        if raw.get("crisis_type") is None:
            self.fail((*path, "crisis_type"), _("This field is required."))
        injects = [
            self.inject(item, (*path, "injects", i))
            for i, item in enumerate(self.items(raw.get("injects"), (*path, "injects")))
        ]
        if not injects:
            self.fail((*path, "injects"), _("A scenario needs at least one inject."))
        return {
            "name": self.text(raw.get("name"), (*path, "name"), required=True, limit=200),
            "crisis_type": self.choice(raw.get("crisis_type"), (*path, "crisis_type"), CrisisType, default=""),
            "description": self.text(raw.get("description"), (*path, "description"), required=False, limit=5000),
            "injects": sorted(injects, key=lambda item: item["at"]),
        }


def check_scenario(raw) -> tuple[dict, list]:
    checker = ScenarioChecker()
    return checker.scenario(raw), checker.problems
