"""Demo step: households and persons, through the same fast encrypted insert path as imports."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.demo.generator import DemoContext
from apps.people.models import Person
from apps.people.prepare import persons_store
from apps.people.services import merge_candidates_find, person_columns, person_plain, persons_bulk_insert
from core import synthetic
from core.persons import CleanPerson

NAME = "persons"
CHUNK = 20_000


def run(ctx: DemoContext) -> dict[str, Any]:
    rng = ctx.rng(NAME)
    now = timezone.now()
    created = 0
    specs = synthetic.people(rng, ctx.persons, ctx.today, synthetic.community_codes())
    cleans = (CleanPerson(name=p.name, doc_type=p.doc_type, doc_number=p.doc_number, sex=p.sex,
                          birth_date=p.birth_date, phone=p.phone, area_code=p.area_code, address=p.address,
                          nationality=p.nationality, household_ref=p.household_ref, relation=p.relation)
              for p in ctx.bar(specs, ctx.persons, "persons"))
    refs: list[str] = []

    def with_ref(clean: CleanPerson) -> CleanPerson:
        refs.append(clean.household_ref)
        return clean

    # Encryption and keyed hashes run on every core (apps.people.prepare) while this process inserts.
    chunk: list[dict[str, Any]] = []
    for columns in persons_store((with_ref(c) for c in cleans), now=now):
        chunk.append(columns)
        if len(chunk) >= CHUNK:
            created += _flush(chunk, refs)
    if chunk:
        created += _flush(chunk, refs)
    # A few deliberate near-duplicates without documents, so the merge screen has work in the demo.
    twins = list(Person.objects.filter(doc_type="resident_id").order_by("id")[:5])
    _seed_duplicates(twins, now)
    candidates = merge_candidates_find(person_ids=list(Person.objects.filter(doc_type="").values_list("pk", flat=True)[:1000]))
    return {"persons": Person.objects.count(), "created": created, "merge_candidates": candidates}


def _flush(chunk: list[dict[str, Any]], refs: list[str]) -> int:
    """Insert the chunk (the oldest rows handed out, so the first len(chunk) refs are theirs) and empty it."""
    households = refs[: len(chunk)]
    del refs[: len(chunk)]
    with transaction.atomic():
        created = persons_bulk_insert(chunk, households=households)
    chunk.clear()
    return created


def _seed_duplicates(originals: list[Person], now: Any) -> None:
    rows, refs = [], []
    for p in originals:
        plain = person_plain(p)
        clean = CleanPerson(name=plain["name"], doc_type="", doc_number="", sex=p.sex, birth_date=p.birth_date,
                            phone="", area_code=p.area_id, address=plain["address"], nationality=p.nationality,
                            household_ref="", relation="")
        rows.append(person_columns(clean, now))
        refs.append("")
    with transaction.atomic():
        persons_bulk_insert(rows, households=refs)
