"""The untranslated-text check itself can fail: it finds what it is meant to find, and passes a page that is
wholly in its language (no browser needed)."""

from __future__ import annotations

from queue_server.i18n.catalogue import text

from .untranslated import leaks


def test_another_language_s_catalogue_text_is_found_on_a_page() -> None:
    found = leaks([text("board.now", "en"), text("board.now", "fi")], "fi")
    assert len(found) == 1 and "en text of board.now" in found[0]


def test_a_catalogue_text_with_placeholders_is_found_whatever_fills_them() -> None:
    english = text("common.position", "en", n=7)
    assert any("common.position" in f for f in leaks([english], "sv"))
    assert leaks([text("common.position", "sv", n=7)], "sv") == []


def test_an_english_word_no_catalogue_lists_is_found_on_a_finnish_page() -> None:
    assert leaks(["Tallenna Dashboard"], "fi") != []  # "Dashboard" is English, and no Finnish text uses it


def test_the_centre_s_own_names_are_not_leaks() -> None:
    assert leaks(["Kela Health"], "fi") != []
    assert leaks(["Kela Health"], "fi", names=["Kela Health"]) == []


def test_a_page_in_its_own_language_passes() -> None:
    for lang in ("fi", "sv", "en", "ru", "et", "ar"):
        shown = [text(k, lang) for k in ("board.now", "board.queues", "desk.call")]
        assert leaks(shown, lang) == [], lang
