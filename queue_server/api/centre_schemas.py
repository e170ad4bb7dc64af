"""Request and response shapes of the centre's configuration API (the admin pages' back end)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from .schemas import Key

Prefix = Annotated[str, Field(pattern=r"^[A-Z]{1,3}$")]
Texts = dict[str, str]


class _Patch(BaseModel):
    """A partial change: a field left out stays as it is; ``null`` puts it back to its default."""

    model_config = ConfigDict(extra="forbid")


class ServicePatch(_Patch):
    name: Texts | None = None
    location: Texts | None = None
    prefix: Prefix | None = None
    hours: dict[str, str | list[str]] | None = Field(None, description='{"mon": "08:00-16:00", ...}; null: always open')
    daily_limit: Annotated[int, Field(gt=0)] | None = None
    sensitive: bool | None = None
    service_time_s: Annotated[int, Field(gt=0)] | None = None
    target_wait_s: Annotated[int, Field(gt=0)] | None = None


class ServiceCreate(ServicePatch):
    key: Key
    prefix: Prefix
    name: Texts


class DeskPatch(_Patch):
    label: str | Texts | None = None
    location: Texts | None = None
    services: Annotated[list[Key], Field(min_length=1)] | None = None
    zone: Key | None = None


class DayExceptionIn(_Patch):
    closed: bool = False
    hours: list[str] | None = Field(None, description='["10:00-14:00"]: the hours of that day instead')


class ConfigOut(BaseModel):
    version: int
    config: dict[str, Any] = Field(description="the centre's configuration in config.yaml's shape")
