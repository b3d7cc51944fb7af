"""Probabilistic linkage in the import: candidates with probability and evidence, automatic links above the upper
threshold, review between the thresholds, decisions audited and remembered (the same pair is not asked twice)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.accounts.models import AuditLog
from apps.common.errors import Conflict, NotFound
from apps.screening import services
from apps.screening.choices import CandidateStatus, MatchMethod, RowState, VisitRule, WorkReason, WorkStatus
from apps.screening.models import LinkCandidate, LinkDecision, ListRow, WorkItem
from apps.screening.selectors import reconciliation_differences
from tests.factories import COMMUNITY_A
from tests.screening.conftest import csv_of

pytestmark = pytest.mark.django_db
BIRTH = dt.date(1980, 3, 7)


@pytest.fixture
def zhang(registered: Any) -> Any:
    registered("王芳", dt.date(1990, 1, 1), "13700000009", sex="F")
    return registered("张伟", BIRTH, "13912345678")[0]


def _import(officer: Any, lst: Any, rows: list[list[str]]) -> None:
    services.list_import(actor=officer, lst=lst, data=csv_of(rows), filename="rows.csv")


def test_a_homophone_typo_with_the_same_birth_and_phone_links_automatically(
    make_list: Any, officer_a: Any, zhang: Any
) -> None:
    lst = make_list(rule=VisitRule.UNMATCHED)
    _import(officer_a, lst, [["章伟", "", "男", "1980-03-07", "13912345678", COMMUNITY_A, ""]])
    row = ListRow.objects.get(list=lst)
    assert (row.person_id, row.match_method, row.state) == (zhang.pk, MatchMethod.AUTO, RowState.MATCHED)
    assert row.match_probability >= 0.995


def test_a_weaker_candidate_waits_for_review_with_its_evidence(
    make_list: Any, officer_a: Any, zhang: Any
) -> None:
    lst = make_list(rule=VisitRule.UNMATCHED)
    # Same pinyin name, birth date swapped, no phone, another district: plausible, not certain.
    _import(officer_a, lst, [["章伟", "", "男", "1980-07-03", "", "990102001001", ""]])
    row = ListRow.objects.get(list=lst)
    cand = LinkCandidate.objects.get(row=row)
    assert row.person_id is None and row.state == RowState.OPEN
    assert 0.3 <= cand.probability < 0.995, cand.probability
    assert cand.person_id == zhang.pk and cand.status == CandidateStatus.OPEN
    assert cand.evidence["name"]["label"] == "same pinyin"
    assert cand.evidence["birth"]["label"] == "day and month swapped"
    assert WorkItem.objects.get(row=row).reason == WorkReason.AMBIGUOUS


def test_confirming_links_the_row_resolves_its_item_and_is_remembered(
    make_list: Any, officer_a: Any, zhang: Any
) -> None:
    lst = make_list(rule=VisitRule.UNMATCHED)
    review_row = ["章伟", "", "男", "1980-07-03", "", "990102001001", ""]
    _import(officer_a, lst, [review_row])
    cand = LinkCandidate.objects.get()
    services.candidate_decide(actor=officer_a, candidate_id=cand.pk, same=True)
    row = ListRow.objects.get(list=lst)
    item = WorkItem.objects.get(row=row)
    assert (row.person_id, row.match_method, row.state) == (zhang.pk, MatchMethod.REVIEWED, RowState.RESOLVED)
    assert (item.status, item.resolved_by) == (WorkStatus.RESOLVED, "linked")
    assert AuditLog.objects.filter(object_type="screening.linkcandidate", object_id=str(cand.pk)).exists()
    with pytest.raises(Conflict):
        services.candidate_decide(actor=officer_a, candidate_id=cand.pk, same=False)
    # The same record on another list is linked by the remembered decision: nobody is asked again.
    other = make_list(rule=VisitRule.UNMATCHED, name="另一份名单")
    _import(officer_a, other, [review_row])
    again = ListRow.objects.get(list=other)
    assert (again.person_id, again.match_method, again.state) == (
        zhang.pk,
        MatchMethod.REVIEWED,
        RowState.MATCHED,
    )
    assert not LinkCandidate.objects.filter(row=again).exists()
    assert reconciliation_differences() == []


def test_rejecting_keeps_the_item_open_as_unmatched_and_is_not_asked_again(
    make_list: Any, officer_a: Any, zhang: Any
) -> None:
    lst = make_list(rule=VisitRule.UNMATCHED)
    review_row = ["章伟", "", "男", "1980-07-03", "", "990102001001", ""]
    _import(officer_a, lst, [review_row])
    services.candidate_decide(actor=officer_a, candidate_id=LinkCandidate.objects.get().pk, same=False)
    item = WorkItem.objects.get()
    assert (item.status, item.reason) == (WorkStatus.OPEN, WorkReason.UNMATCHED)
    assert LinkDecision.objects.get().same is False
    other = make_list(rule=VisitRule.UNMATCHED, name="另一份名单")
    _import(officer_a, other, [review_row])
    assert not LinkCandidate.objects.filter(row__list=other).exists()
    assert WorkItem.objects.get(row__list=other).reason == WorkReason.UNMATCHED


def test_a_reviewer_of_another_district_cannot_see_or_decide(
    make_list: Any, officer_a: Any, officer_b: Any, zhang: Any
) -> None:
    lst = make_list(rule=VisitRule.UNMATCHED)
    _import(officer_a, lst, [["章伟", "", "男", "1980-07-03", "", "990102001001", ""]])
    with pytest.raises(NotFound):
        services.candidate_decide(actor=officer_b, candidate_id=LinkCandidate.objects.get().pk, same=True)


def test_a_stranger_becomes_an_unmatched_work_item(make_list: Any, officer_a: Any, zhang: Any) -> None:
    lst = make_list(rule=VisitRule.UNMATCHED)
    _import(officer_a, lst, [["欧阳娜", "", "女", "1955-11-30", "13600000000", COMMUNITY_A, ""]])
    row = ListRow.objects.get(list=lst)
    assert row.person_id is None and not LinkCandidate.objects.filter(row=row).exists()
    assert WorkItem.objects.get(row=row).reason == WorkReason.UNMATCHED
