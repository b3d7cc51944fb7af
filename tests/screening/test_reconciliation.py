"""底数清: per list and area, rows = matched + resolved work items + open work items + rejected rows, after any
sequence of imports, matches, link decisions, visits, reassignments and escalations (hypothesis), and the
nightly check reports a difference when the data is tampered with."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.screening import linkage, services
from apps.screening.choices import CandidateStatus, VisitRule, WorkStatus
from apps.screening.models import LinkCandidate, ListRow, ListTally, WorkItem
from apps.screening.selectors import reconciliation, reconciliation_differences
from apps.screening.tasks import check_reconciliation
from tests.factories import COMMUNITY_A
from tests.screening.conftest import csv_of

pytestmark = pytest.mark.django_db
COMMUNITY_A2 = "990101001002"


def _fake_link(persons: list[Any]) -> Any:
    """Linkage stand-in for the bookkeeping test: a row named after a registered person ("候选N") gets that person
    as a candidate, with a probability chosen by the name's suffix (auto-link, review or none)."""

    def link(plain: Any) -> dict[int, list[linkage.Candidate]]:
        out: dict[int, list[linkage.Candidate]] = {}
        for i, (_row, clean) in enumerate(plain):
            if clean.name.startswith("候选"):
                n, grade = int(clean.name[2]), clean.name[3:]
                p = {"高": 0.999, "中": 0.7}.get(grade, 0.1)
                if p >= linkage.thresholds().lower:
                    out[i] = [linkage.Candidate(persons[n % len(persons)].pk, p, {})]
        return out

    return link


def _pool(persons_plain: list[dict[str, str]]) -> list[list[str]]:
    rows = [
        ["张伟", "", "男", "1980-01-02", "13900000001", COMMUNITY_A, ""],
        ["李娜", "", "女", "1981-02-03", "", COMMUNITY_A2, ""],
        ["", "", "", "", "", "", "no name"],
        ["王芳", "", "女", "1999-99-99", "", COMMUNITY_A, ""],
        ["候选0高", "", "男", "1970-01-01", "", COMMUNITY_A, ""],
        ["候选1中", "", "女", "1971-01-01", "", COMMUNITY_A2, ""],
        ["候选2中", "", "男", "1972-01-01", "", "", ""],
        ["候选0低", "", "男", "1973-01-01", "", COMMUNITY_A, ""],
    ]
    rows += [[p["name"], p["doc"], "", "", "", "", ""] for p in persons_plain]
    return rows


operation = st.one_of(
    st.tuples(st.just("import"), st.integers(0, 1), st.lists(st.integers(0, 10), min_size=1, max_size=6)),
    st.tuples(st.just("decide"), st.integers(0, 20), st.booleans()),
    st.tuples(
        st.just("visit"), st.integers(0, 20), st.sampled_from(["found", "not_found", "moved_away", "refused"])
    ),
    st.tuples(st.just("reassign"), st.integers(0, 20), st.just(None)),
    st.tuples(st.just("escalate"), st.integers(1, 5), st.just(None)),
)


def _brute_force() -> dict[tuple[int, str], Counter[str]]:
    """Buckets counted from the rows and their work items only, without the kept tallies or row states."""
    out: dict[tuple[int, str], Counter[str]] = {}
    items = {i.row_id: i for i in WorkItem.objects.all()}
    for row in ListRow.objects.all():
        c = out.setdefault((row.list_id, row.area_id[:6]), Counter())
        c["rows"] += 1
        if row.reject_reason:
            c["rejected"] += 1
        elif row.pk in items:
            c["resolved" if items[row.pk].status == WorkStatus.RESOLVED else "open"] += 1
        else:
            c["matched"] += 1
    return out


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operation, min_size=1, max_size=12))
def test_every_list_balances_after_any_sequence_of_operations(
    ops: list[Any], officer_a: Any, registered: Any, make_list: Any, monkeypatch: Any
) -> None:
    ListRow.objects.all().delete()
    ListTally.objects.all().delete()
    if not hasattr(test_every_list_balances_after_any_sequence_of_operations, "_people"):
        made = [registered(f"登记{i}", dt.date(1960 + i, 3, 4), f"1370000000{i}") for i in range(3)]
        test_every_list_balances_after_any_sequence_of_operations._people = made  # type: ignore[attr-defined]
    people = test_every_list_balances_after_any_sequence_of_operations._people  # type: ignore[attr-defined]
    monkeypatch.setattr(linkage, "link", _fake_link([p for p, _ in people]))
    lists = [make_list(rule=VisitRule.UNMATCHED, name="甲"), make_list(rule=VisitRule.EVERYONE, name="乙")]
    pool = _pool([plain for _, plain in people])
    clock = dt.datetime(2026, 11, 1, 4, tzinfo=dt.UTC)
    for kind, a, b in ops:
        if kind == "import":
            services.list_import(
                actor=officer_a, lst=lists[a], data=csv_of([pool[i] for i in b]), filename="x.csv"
            )
        elif kind == "decide":
            open_ = list(LinkCandidate.objects.filter(status=CandidateStatus.OPEN).order_by("pk"))
            if open_:
                services.candidate_decide(actor=officer_a, candidate_id=open_[a % len(open_)].pk, same=b)
        elif kind in ("visit", "reassign"):
            items = list(
                WorkItem.objects.filter(
                    status=WorkStatus.OPEN, reason__in=("unmatched", "list_rule")
                ).order_by("pk")
            )
            if items and kind == "visit":
                services.visit_record(
                    actor=officer_a,
                    item_id=items[a % len(items)].pk,
                    outcome=b,
                    moved_to="外省" if b == "moved_away" else "",
                )
            elif items:
                services.work_item_reassign(
                    actor=officer_a,
                    item_id=items[a % len(items)].pk,
                    area_code=COMMUNITY_A2,
                    reason="住在隔壁社区",
                )
        else:
            services.work_items_escalate(now=clock + dt.timedelta(days=30 * a))
        assert reconciliation_differences() == []
        shown = {(r["list_id"], r["area"]): r for r in reconciliation(user=officer_a)}
        expected = _brute_force()
        assert set(shown) == set(expected)
        for key, counts in expected.items():
            assert shown[key]["balances"]
            assert {k: shown[key][k] for k in ("rows", "matched", "open", "resolved", "rejected")} == {
                k: counts[k] for k in ("rows", "matched", "open", "resolved", "rejected")
            }


def test_the_nightly_check_reports_a_tampered_count_and_a_row_out_of_step(
    make_list: Any, officer_a: Any
) -> None:
    lst = make_list()
    services.list_import(
        actor=officer_a,
        lst=lst,
        filename="a.csv",
        data=csv_of([["张伟", "", "男", "1980-01-02", "", COMMUNITY_A, ""]]),
    )
    assert check_reconciliation.call() == 0
    WorkItem.objects.filter(list=lst).update(status=WorkStatus.RESOLVED)  # behind the services' back
    diffs = reconciliation_differences()
    assert [d["field"] for d in diffs] == ["state"]
    ListRow.objects.filter(list=lst).update(state="resolved")
    diffs = reconciliation_differences()
    assert {(d["field"], d["stored"], d["counted"]) for d in diffs} == {("open", 1, 0), ("resolved", 0, 1)}
    assert check_reconciliation.call() == 2


def test_the_database_refuses_a_tally_that_does_not_balance(make_list: Any, officer_a: Any) -> None:
    from django.db import IntegrityError, transaction

    lst = make_list()
    services.list_import(
        actor=officer_a,
        lst=lst,
        filename="a.csv",
        data=csv_of([["张伟", "", "男", "1980-01-02", "", COMMUNITY_A, ""]]),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ListTally.objects.filter(list=lst).update(open=5)
