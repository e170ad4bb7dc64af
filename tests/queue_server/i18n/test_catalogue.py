"""The gettext catalogues: complete in every language, the same keys the code uses, placeholders intact."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from queue_server.i18n.catalogue import MissingText, catalogues, languages, text
from queue_server.web.catalog import Catalog
from tests.queue_server.i18n.keys import MARKERS, built, extracted, literals, markers_source

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_every_language_has_every_message() -> None:
    assert {"fi", "sv", "en"} <= set(languages())
    assert catalogues().missing() == []


def test_a_missing_message_is_noticed(tmp_path: Path) -> None:
    for lang, body in (
        ("fi", 'msgid "a.b"\nmsgstr "A"\n\nmsgid "a.c"\nmsgstr "C"\n'),
        ("sv", 'msgid "a.b"\nmsgstr ""\n\nmsgid "a.c"\nmsgstr "C"\n'),
    ):
        folder = tmp_path / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "messages.po").write_text(body, encoding="utf-8")
    found = catalogues.__wrapped__(tmp_path)
    assert found.missing() == ["sv:a.b"]
    assert found.text("a.b", "sv", "fi") == "A", "an untranslated message falls back, never shows blank"
    with pytest.raises(MissingText):
        found.text("a.x", "fi")


def test_the_catalogues_hold_exactly_the_keys_the_code_uses() -> None:
    """What ``pybabel extract`` finds (with the markers of keys built at run time) is what the catalogues
    hold: no text the code asks for is missing, no text is left that nothing shows."""
    keys = catalogues().keys
    used = extracted()
    assert sorted(used - keys) == [], "used, but in no catalogue"
    assert sorted(keys - used) == [], "in the catalogues, but used nowhere"
    assert built() <= keys, "a key built from a status, role, language or section has no text"


def test_the_markers_list_what_the_extractor_cannot_see() -> None:
    expected = markers_source((built() | (literals() & catalogues().keys)) - extracted(with_markers=False))
    assert MARKERS.read_text(encoding="utf-8") == expected, "regenerate: python -m tests.queue_server.i18n.keys"


@pytest.mark.parametrize("lang", [lang for lang in languages() if lang != "en"])
def test_translations_keep_the_placeholders_of_the_english_text(lang: str) -> None:
    english = catalogues().messages["en"]
    for key, translated in catalogues().messages[lang].items():
        assert sorted(PLACEHOLDER.findall(translated)) == sorted(PLACEHOLDER.findall(english[key])), key


def test_the_files_are_gettext_catalogues_babel_reads() -> None:
    for lang in languages():
        path = Path(catalogues.__wrapped__.__defaults__[0]) / lang / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as fh:
            catalog = read_po(fh)
        assert str(catalog.locale) == lang and len(catalog) == len(catalogues().keys)


def test_finnish_and_swedish_letters_survive() -> None:
    catalog = Catalog("kiosk.")
    assert catalog.get("kiosk.choose", "sv") == "Välj ditt ärende"
    assert catalog.get("kiosk.priority", "fi") == "Tarvitsen etuoikeuden (en voi odottaa seisten)"
    assert "ä" in catalog.json(["fi"])  # not \\u00e4: readable in the page source
    assert text("wait.about", "en", duration="5 min") == "about 5 min"
    assert set(catalog.table(["fi"])["fi"]) >= {"kiosk.choose", "common.no_wait", "wait.about"}
    assert not any(k.startswith("desk.") for k in catalog.table(["fi"])["fi"]), "a page gets its own part only"


def test_the_template_is_what_pybabel_extract_makes_now() -> None:
    with (MARKERS.parents[2] / "translations" / "messages.pot").open("rb") as fh:
        template = {str(m.id) for m in read_po(fh) if m.id}
    assert template == extracted(), (
        "regenerate: pybabel extract -F babel.cfg -k t -k N_ --no-location --sort-output -o translations/messages.pot ."
    )
