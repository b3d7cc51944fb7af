"""Probabilistic linkage of list rows to the registry: blocking in SQL, decryption in memory, Splink in core."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from apps.people import pii
from apps.people.models import Person
from apps.screening.models import LinkModel, ListRow
from core import dirtylists, linkage, synthetic
from core.screening import CleanRow

CHUNK = 2000
TRAIN_MIN_ROWS = 500  # a list at least this long trains a fresh model on its own data (EM)
_SYNTHETIC: dict[str, Any] = {}


@dataclass(frozen=True, slots=True)
class Thresholds:
    upper: float  # at or above: linked automatically
    lower: float  # at or above (and below upper): a reviewer decides; below: not the same person


@dataclass(frozen=True, slots=True)
class Candidate:
    person_id: int
    probability: float
    evidence: dict[str, dict[str, Any]]


def thresholds() -> Thresholds:
    conf = getattr(settings, "TONGCHOU_SCREENING_LINK", {})
    return Thresholds(upper=float(conf.get("upper", 0.995)), lower=float(conf.get("lower", 0.3)))


def _swaps(day: dt.date) -> list[dt.date]:
    swapped = linkage.swapped(day)
    return [day, dt.date.fromisoformat(swapped)] if swapped else [day]


def _registry_block(rows: Sequence[CleanRow]) -> list[linkage.Record]:
    """Registry persons who share a birth date (or its day/month swap), a phone or a name with some row: the
    candidates Splink's blocking rules could pair, fetched by indexed columns and decrypted here, in memory."""
    births = sorted({d for r in rows if r.birth_date for d in _swaps(r.birth_date)})
    phones = sorted({pii.phone_hash(r.phone) for r in rows if r.phone})
    names = sorted({pii.name_hash(r.name) for r in rows if r.name})
    found: dict[int, tuple[bytes, bytes | None, dt.date | None, str, str]] = {}
    fields = ("pk", "name_enc", "phone_enc", "birth_date", "sex", "area_id")
    for values, column in ((births, "birth_date"), (phones, "phone_hash"), (names, "name_hash")):
        for start in range(0, len(values), CHUNK):
            qs = Person.objects.filter(
                Q(**{f"{column}__in": values[start : start + CHUNK]}), merged_into__isnull=True
            )
            for pk, name_enc, phone_enc, birth, sex, area in qs.values_list(*fields):
                found.setdefault(pk, (name_enc, phone_enc, birth, sex, area))
    c = pii.cipher()
    return [
        linkage.Record(pk, c.decrypt(name_enc), birth, c.decrypt(phone_enc) if phone_enc else "", sex, area)
        for pk, (name_enc, phone_enc, birth, sex, area) in found.items()
    ]


def _synthetic_model() -> dict[str, Any]:
    """Before any list is big enough to train on, a model estimated (EM) from a generated city and its dirty list."""
    if "model" not in _SYNTHETIC:
        rng = random.Random(20200123)
        today = dt.date(2020, 1, 23)
        communities = synthetic.community_codes()[:60]
        registry = list(synthetic.people(rng, 4000, today, communities))
        dirty = dirtylists.dirty_list(rng, registry, 1500, today=today, communities=communities)
        right = [
            linkage.Record(i, p.name, p.birth_date, p.phone, p.sex, p.area_code)
            for i, p in enumerate(registry)
        ]
        left = [
            linkage.Record(
                10**7 + i,
                d.values["name"],
                dt.date.fromisoformat(d.values["birth_date"]),
                d.values["phone"],
                d.values["sex"],
                d.values["area_code"],
            )
            for i, d in enumerate(dirty)
        ]
        _SYNTHETIC["model"] = linkage.train(left, right)
    return dict(_SYNTHETIC["model"])


def current_model() -> dict[str, Any]:
    latest = LinkModel.objects.first()
    if latest is not None:
        return dict(latest.parameters)
    params = _synthetic_model()
    LinkModel.objects.create(
        trained_at=timezone.now(), trained_rows=1500, registry_rows=4000, synthetic=True, parameters=params
    )
    return params


def link(plain: Sequence[tuple[ListRow, CleanRow]]) -> dict[int, list[Candidate]]:
    """Candidates per row index (best first) with probability ≥ the lower threshold."""
    rows = [clean for _row, clean in plain]
    right = _registry_block(rows)
    if not right:
        return {}
    left = [
        linkage.Record(i, r.name, r.birth_date, r.phone, r.sex, r.area_code or row.area_id)
        for i, (row, r) in enumerate(plain)
    ]
    if len(left) >= TRAIN_MIN_ROWS and len(right) >= TRAIN_MIN_ROWS:
        model = linkage.train(left, right)
        LinkModel.objects.create(
            trained_at=timezone.now(), trained_rows=len(left), registry_rows=len(right), parameters=model
        )
    else:
        model = current_model()
    out: dict[int, list[Candidate]] = {}
    for pair in linkage.predict(left, right, model, threshold=thresholds().lower):
        out.setdefault(pair.left, []).append(Candidate(pair.right, pair.probability, pair.evidence))
    return out
