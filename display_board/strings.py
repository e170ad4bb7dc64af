"""The display board's texts; a board shows one language, its zone's."""

from __future__ import annotations

BOARD: dict[str, dict[str, str]] = {
    "board.now": {"fi": "Nyt vuorossa", "sv": "Nu i tur", "en": "Now calling"},
    "board.previous": {"fi": "Edelliset", "sv": "Tidigare", "en": "Previous"},
    "board.queues": {"fi": "Jonossa nyt", "sv": "I kö nu", "en": "Waiting now"},
    "board.no_calls": {"fi": "Odotetaan ensimmäistä kutsua", "sv": "Väntar på det första uppropet",
                       "en": "Waiting for the first call"},
    "board.speech": {"fi": "Numero {number}, {desk}", "sv": "Nummer {number}, {desk}", "en": "Number {number}, {desk}"},
    "board.call_text": {"fi": "Numero {number}: {desk}", "sv": "Nummer {number}: {desk}",
                        "en": "Number {number}: {desk}"},
    "board.closed": {"fi": "suljettu", "sv": "stängt", "en": "closed"},
    "board.audio_blocked": {"fi": "Selain estää äänen – napauta näyttöä",
                            "sv": "Webbläsaren blockerar ljudet – tryck på skärmen",
                            "en": "The browser blocks sound – tap the screen"},
}
