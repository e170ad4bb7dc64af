"""The centre's live configuration, kept in the database: seeded from ``config.yaml``, then changed in place.

What a manager changes in a normal week (services, hours, desks, zones, kiosks, printers) is the *centre
document*: the part of ``config.yaml`` under ``centre``, ``services``, ``desks``, ``zones``, ``kiosks``,
``printers`` and ``priority_ratio``, stored as one versioned row (``centre_config``).  Machine settings
(database URL, secrets, Redis, ``public_url``, limits, retention, proxies) stay in the file and the
environment: they differ between machines, not between weeks.

- On an empty database (or one migrated from an installation that ran on the file alone) the first start seeds
  the document from ``config.yaml``; from then on the database is the source and the file's centre part is only
  read by ``vuoro config import``.
- A change is validated as a whole (cross-references, texts in the default language), written with an audit
  entry, and noted in the transaction's change record (``"config": version``), so that every process's live
  model reloads it: this one at once, the others from the change feed or, at the latest, the outbox poll.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
import yaml
from pydantic import ValidationError

from ..config import ConfigError, VuoroConfig, format_validation_error
from ..db import Database
from ..models import CentreDocument
from . import audit
from .context import Context
from .counters import dialect_insert
from .outbox import note_config, writing

#: the keys of config.yaml that make the centre document; everything else is a machine setting
CENTRE_KEYS = ("centre", "services", "desks", "zones", "kiosks", "printers", "priority_ratio")
ROW = 1


def document_of(cfg: VuoroConfig) -> dict[str, Any]:
    """The centre document of ``cfg``, in config.yaml's shape (defaults left out, as a person writes it)."""
    return cfg.model_dump(mode="json", include=set(CENTRE_KEYS), exclude_defaults=True)


def with_document(
    cfg: VuoroConfig, document: Mapping[str, Any], *, source: str = "the centre configuration"
) -> VuoroConfig:
    """``cfg``'s machine settings with ``document`` as its centre part, validated as a whole."""
    unknown = sorted(set(document) - set(CENTRE_KEYS))
    if unknown:
        raise ConfigError(f"{source}: not part of the centre's configuration: {', '.join(unknown)}")
    machine = cfg.model_dump(exclude=set(CENTRE_KEYS))
    try:
        return VuoroConfig.model_validate({**machine, **document, "base_dir": cfg.base_dir})
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, source)) from None


def load_or_seed(db: Database, cfg: VuoroConfig) -> tuple[VuoroConfig, int]:
    """The live configuration and its version: the stored document, or ``cfg``'s own, stored first if there is
    none yet (several processes starting at once: one insert wins, all read the same row)."""
    with db.writer() as session:
        insert = (
            dialect_insert(session)(CentreDocument.__table__)
            .values(id=ROW, version=1, body=document_of(cfg), updated_at=sa.func.now())
            .on_conflict_do_nothing()
        )
        session.execute(insert)
    version, document = current(db)
    return with_document(cfg, document, source="the centre configuration stored in the database"), version


def current(db: Database) -> tuple[int, dict[str, Any]]:
    """The stored centre document and its version, as the database holds it now (not this process's copy)."""
    with db.reader() as session:
        row = session.get(CentreDocument, ROW)
        if row is None:
            raise ConfigError("the database holds no centre configuration yet (start the server once)")
        return row.version, dict(row.body)


def replace(
    ctx: Context, document: Mapping[str, Any], *, actor: str, action: str, target: str = "centre"
) -> tuple[VuoroConfig, int]:
    """Store ``document`` as the centre's configuration (validated first: a bad one changes nothing), with an
    audit entry; every process picks it up through the change record.  The new config and its version."""
    new = with_document(ctx.config, document)
    stored = document_of(new)
    with writing(ctx) as session:
        row = session.get(CentreDocument, ROW, with_for_update=True)
        if row is None:
            raise ConfigError("the database holds no centre configuration yet (start the server once)")
        before = dict(row.body)
        row.version += 1
        row.body = stored
        row.updated_at = ctx.now()
        audit.record(session, ctx, actor=actor, action=action, target=target, before=before, after=stored)
        version = row.version
        note_config(session, version)
    return new, version


def to_yaml(document: Mapping[str, Any]) -> str:
    """A document as config.yaml writes it (key order kept, letters as they are)."""
    text: str = yaml.safe_dump(dict(document), allow_unicode=True, sort_keys=False, default_flow_style=False, width=110)
    return text


def split_file(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A config file's centre document, and the machine settings it also holds (not imported: they stay in
    the server's own file and environment)."""
    return {k: v for k, v in data.items() if k in CENTRE_KEYS}, sorted(k for k in data if k not in CENTRE_KEYS)


def diff(before: Mapping[str, Any], after: Mapping[str, Any], *, to_name: str) -> str:
    """A unified diff of two documents in YAML, as a person reviews a change ("" when they are the same)."""
    return "".join(
        difflib.unified_diff(to_yaml(before).splitlines(True), to_yaml(after).splitlines(True), "database", to_name)
    )
