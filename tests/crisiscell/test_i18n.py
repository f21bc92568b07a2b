"""French first, English second: the catalogue is complete and compiled, and pages follow the language."""

import json
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"
FRENCH_PO = LOCALE / "fr" / "LC_MESSAGES" / "django.po"


def french_entries() -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(FRENCH_PO)) if not entry.obsolete]


def test_both_catalogues_are_compiled_in_the_repository():
    # A fresh machine has no gettext tools: the .mo files must ship.
    for language in ("fr", "en"):
        assert (LOCALE / language / "LC_MESSAGES" / "django.mo").is_file()


def test_every_french_entry_is_translated_and_none_is_fuzzy():
    po = polib.pofile(str(FRENCH_PO))
    assert po.metadata.get("Language") == "fr"
    assert [entry.msgid for entry in po.untranslated_entries()] == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []
    assert not po.metadata_is_fuzzy


def test_compiled_french_catalogue_is_in_sync_with_the_po_file():
    """Every msgstr of the .po is what Django serves: proves the .mo was recompiled."""
    stale = []
    with translation.override("fr"):
        for entry in french_entries():
            if entry.msgid_plural:
                # French plural rule: n > 1, so 1 takes form 0 and 5 takes form 1.
                for count, form in ((1, 0), (5, 1)):
                    if entry.msgctxt:
                        got = translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, count)
                    else:
                        got = translation.ngettext(entry.msgid, entry.msgid_plural, count)
                    if got != entry.msgstr_plural[form]:
                        stale.append((entry.msgid, count, got))
            else:
                if entry.msgctxt:
                    got = translation.pgettext(entry.msgctxt, entry.msgid)
                else:
                    got = translation.gettext(entry.msgid)
                if got != entry.msgstr:
                    stale.append((entry.msgid, got))
    assert stale == []


def test_french_translations_keep_their_placeholders():
    placeholder = re.compile(r"%\(\w+\)[sd]")
    wrong = []
    for entry in french_entries():
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        expected = set(placeholder.findall(entry.msgid)) | set(placeholder.findall(entry.msgid_plural or ""))
        for text in translations:
            found = set(placeholder.findall(text))
            # A singular form may spell out the count ("1 incident"), never invent a name.
            if not found <= expected or (not entry.msgid_plural and found != expected):
                wrong.append((entry.msgid, text))
    assert wrong == []


@pytest.mark.parametrize(
    ("language", "present", "absent"),
    [
        ("fr", ["Niveau", "Nouvel incident", "Veille", "Gravité", "Type de crise", "Se déconnecter"], ["New incident"]),
        ("en", ["Level", "New incident", "Watch", "Severity", "Crisis type", "Log out"], ["Nouvel incident"]),
    ],
)
def test_list_page_speaks_the_chosen_language(client, users, incident, language, present, absent):
    client.force_login(users["member"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("incidents:list"))
    content = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in content
    for text in present:
        assert text in content
    for text in absent:
        assert text not in content


def test_french_is_the_default_language(client, users, incident):
    client.force_login(users["member"])
    content = client.get(reverse("incidents:list"), headers={"accept-language": ""}).content.decode()
    assert "Nouvel incident" in content


def test_language_switch_stores_the_choice_and_returns_to_the_page(client, users, incident):
    client.force_login(users["member"])
    detail = reverse("incidents:detail", args=[incident.pk])
    response = client.post(reverse("set_language"), {"language": "en", "next": detail})
    assert response.status_code == 302
    assert response["Location"] == detail
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Crisis log" in client.get(detail).content.decode()
    client.post(reverse("set_language"), {"language": "fr", "next": detail})
    assert "Main courante" in client.get(detail).content.decode()


def test_language_switch_refuses_a_foreign_next_url(client, users):
    client.force_login(users["member"])
    response = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_the_javascript_catalogue_is_complete_and_served_in_french(client):
    """The live pages (static/js/live/) speak through Django's JavaScript catalogue (/jsi18n/)."""
    po = polib.pofile(str(LOCALE / "fr" / "LC_MESSAGES" / "djangojs.po"))
    assert len(po) > 0
    assert [entry.msgid for entry in po.untranslated_entries()] == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []
    catalogue = client.get(reverse("javascript-catalog"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    for entry in po:
        # The catalogue embeds each translation as a JSON string (non-ASCII escaped).
        assert json.dumps(entry.msgstr) in catalogue, entry.msgid
