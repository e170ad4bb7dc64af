"""Request and response shapes of the layout API: zones, kiosks, adding and retiring desks, printer tests."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from ..config import Language
from ..services.centre_admin import MESSAGE_MAX
from .centre_schemas import DeskPatch, Texts, _Patch
from .schemas import Key, PrinterOut

#: a board's message is one line under the calls, not a notice board
MessageLine = dict[str, Annotated[str, Field(max_length=MESSAGE_MAX)]]


class ZonePatch(_Patch):
    """The body of PATCH /api/zones/{key}: what its boards show and say (name, languages, sound, message)."""

    name: Texts | None = None
    language: Language | None = Field(None, description="the boards' language; null: the centre's")
    languages: Annotated[list[Language], Field(min_length=1, max_length=6)] | None = Field(
        None, description="the boards' languages in turn (labels alternate, calls are spoken in each); null: one"
    )
    chime: bool | None = None
    speech: bool | None = None
    volume: Annotated[float, Field(ge=0, le=1)] | None = None
    message: MessageLine | None = Field(
        None,
        description="the line the boards show under the calls, per language "
        '({"fi": "Kela suljetaan tänään klo 16"}); null: none',
    )


class KioskPatch(_Patch):
    """The body of PATCH /api/kiosks/{key}: the kiosk's zone, printer, home language and the services it offers."""

    zone: Key | None = None
    printer: Key | None = Field(None, description="null: no printer (the ticket is shown on screen only)")
    language: Language | None = Field(None, description="the kiosk's home language; null: the centre's")
    services: Annotated[list[Key], Field(min_length=1)] | None = Field(
        None, description="the services this kiosk offers; null: every service"
    )


class DeskCreate(DeskPatch):
    """The body of POST /api/desks: a new desk's key, label, services and zone (its location as in PATCH)."""

    key: Key
    label: str | Texts
    services: Annotated[list[Key], Field(min_length=1)]
    zone: Key


class KioskOut(BaseModel):
    """The answer of GET /api/kiosks/{key}: what the kiosk page offers.
    The page asks again after each configuration change."""

    key: str
    zone: str
    language: str = Field(description="the kiosk's home language")
    printer: bool = Field(description="whether the kiosk prints its tickets")
    services: list[str] | None = Field(description="the services it offers; null: every service")


class PrinterTestQueued(BaseModel):
    """The answer of POST /api/printers/{key}/test: the test ticket is queued; last_test tells how it went."""

    printer: PrinterOut = Field(description="the printer as it is now; the test's outcome comes in last_test")
