"""The reconciliation counters (底数清): every change of a row's bucket moves one count in the same transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db.models import F

from apps.screening.models import ListTally


def tally_add(added: Iterable[tuple[int, str, str]]) -> None:
    """Count new rows: (list id, area code, state) each."""
    per: dict[tuple[int, str], Counter[str]] = {}
    for list_id, area, state in added:
        per.setdefault((list_id, area), Counter())[state] += 1
    for (list_id, area), counts in per.items():
        tally, _ = ListTally.objects.select_for_update().get_or_create(list_id=list_id, area_id=area)
        changes = {state: F(state) + n for state, n in counts.items()}
        ListTally.objects.filter(pk=tally.pk).update(rows=F("rows") + sum(counts.values()), **changes)


def tally_move(*, list_id: int, area: str, old: str, new: str) -> None:
    if old == new:
        return
    ListTally.objects.filter(list_id=list_id, area_id=area).update(**{old: F(old) - 1, new: F(new) + 1})
