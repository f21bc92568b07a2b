"""Registries instead of central tables: each app adds its own entries in AppConfig.ready().

A table that names every domain (the log kinds and their wording, the notification
wordings, the panels...) had to be edited by each new app. A registry is filled by
the apps themselves: adding an app edits no other app. Entries are read after
startup (Django runs every ready() before serving), in the order they were added,
which follows INSTALLED_APPS.
"""

from collections.abc import Iterator

from django.core.exceptions import ImproperlyConfigured


class Registry:
    def __init__(self, what: str):
        self.what = what
        self._entries: dict = {}

    def register(self, key, value):
        """Add `value` under `key`; the same key twice with another value is a startup error."""
        if key in self._entries and self._entries[key] != value:
            raise ImproperlyConfigured(f"{self.what}: {key!r} is registered twice, with different values.")
        self._entries[key] = value
        return value

    def __getitem__(self, key):
        return self._entries[key]

    def get(self, key, default=None):
        return self._entries.get(key, default)

    def __contains__(self, key) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def items(self):
        return self._entries.items()

    def values(self):
        return self._entries.values()
