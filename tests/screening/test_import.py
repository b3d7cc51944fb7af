"""Importing a screening list: bad rows reported and kept as rejected, good rows matched by document, idempotent
re-import of the same file and of overlapping files, a saved column mapping per source, big files as a job."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.screening import services
from apps.screening.choices import ImportState, MatchMethod, RowState, VisitRule, WorkReason
from apps.screening.models import ListImport, ListRow, ListTally, WorkItem
from apps.screening.selectors import reconciliation_differences
from core import idnum
from core.dirtylists import to_15
from tests.factories import COMMUNITY_A, DISTRICT_A
from tests.screening.conftest import csv_of

pytestmark = pytest.mark.django_db
BIRTH = dt.date(1979, 5, 20)


def test_bad_rows_are_reported_with_line_field_and_reason_and_good_rows_kept(
    make_list: Any, officer_a: Any
) -> None:
    lst = make_list()
    data = csv_of(
        [
            ["张伟", "", "男", "1980-01-02", "13900000001", COMMUNITY_A, "演示路1号"],
            ["", "", "男", "1980-01-02", "13900000002", COMMUNITY_A, ""],  # line 3: no name
            ["李娜", "", "女", "1980-13-40", "13900000003", COMMUNITY_A, ""],  # line 4: no such date
            ["王芳", "", "女", "1981-02-03", "13900000004", "990101999999", ""],  # line 5: unknown area
            [
                "赵强",
                "12345",
                "男",
                "1982-03-04",
                "139000",
                COMMUNITY_A,
                "",
            ],  # line 6: kept, bad ID and phone dropped
        ]
    )
    report = services.list_import(actor=officer_a, lst=lst, data=data, filename="arrivals.csv")
    assert (report.total_rows, report.new_rows, report.error_rows) == (5, 5, 3)
    rejected = [(e["line"], e["field"]) for e in report.errors if not e.get("kept")]
    assert rejected == [(3, "name"), (4, "birth_date"), (5, "area_code")]
    assert {(e["line"], e["field"]) for e in report.errors if e.get("kept")} == {
        (6, "doc_number"),
        (6, "phone"),
    }
    states = dict(ListRow.objects.filter(list=lst).values_list("line", "state"))
    assert states == {
        2: RowState.OPEN,
        3: RowState.REJECTED,
        4: RowState.REJECTED,
        5: RowState.REJECTED,
        6: RowState.OPEN,
    }
    assert WorkItem.objects.filter(list=lst, reason=WorkReason.UNMATCHED).count() == 2


def test_rows_are_stored_encrypted_and_masked(make_list: Any, officer_a: Any) -> None:
    lst = make_list()
    services.list_import(
        actor=officer_a,
        lst=lst,
        data=csv_of([["张伟", "", "男", "1980-01-02", "13912345678", COMMUNITY_A, "演示路1号"]]),
        filename="a.csv",
    )
    row = ListRow.objects.get(list=lst)
    assert "张伟".encode() not in bytes(row.name_enc) and b"13912345678" not in bytes(row.phone_enc)
    assert (
        row.name_masked == "张*"
        and row.phone_masked.startswith("139")
        and "1234" not in row.phone_masked[3:7]
    )


def test_exact_match_by_document_hash_also_for_a_15_digit_number(
    make_list: Any, officer_a: Any, registered: Any
) -> None:
    lst = make_list(rule=VisitRule.UNMATCHED)
    person, plain = registered("刘洋", BIRTH, "13800000001")
    other, other_plain = registered("陈静", dt.date(1960, 7, 8), "13800000002", sex="F")
    data = csv_of(
        [
            ["刘阳", plain["doc"], "男", "", "", COMMUNITY_A, ""],  # a typo in the name: the document decides
            ["陈静", to_15(other_plain["doc"]), "女", "", "", "", ""],  # old 15-digit number, no area
        ]
    )
    report = services.list_import(actor=officer_a, lst=lst, data=data, filename="a.csv")
    assert report.matched_rows == 2
    rows = {r.line: r for r in ListRow.objects.filter(list=lst)}
    assert (rows[2].person_id, rows[2].match_method, rows[2].state) == (
        person.pk,
        MatchMethod.EXACT,
        RowState.MATCHED,
    )
    assert (rows[3].person_id, rows[3].area_id) == (other.pk, COMMUNITY_A)  # area taken from the registry
    assert not WorkItem.objects.filter(list=lst).exists()


def test_a_list_that_visits_everyone_opens_work_items_for_matched_rows(
    make_list: Any, officer_a: Any, registered: Any
) -> None:
    lst = make_list(rule=VisitRule.EVERYONE, visit_within_hours=12)
    person, plain = registered("刘洋", BIRTH, "13800000001")
    services.list_import(
        actor=officer_a, lst=lst, data=csv_of([["刘洋", plain["doc"], "", "", "", "", ""]]), filename="a.csv"
    )
    item = WorkItem.objects.get(list=lst)
    assert (item.person_id, item.reason, item.area_id) == (person.pk, WorkReason.LIST_RULE, COMMUNITY_A)
    assert dt.timedelta(hours=11) < item.due_at - item.created_at <= dt.timedelta(hours=12)


def test_reimporting_the_same_file_or_overlapping_rows_adds_nothing(make_list: Any, officer_a: Any) -> None:
    lst = make_list()
    first = [
        ["张伟", "", "男", "1980-01-02", "13900000001", COMMUNITY_A, ""],
        ["", "", "", "", "", "", "bad"],
    ]
    services.list_import(actor=officer_a, lst=lst, data=csv_of(first), filename="a.csv")
    again = services.list_import(actor=officer_a, lst=lst, data=csv_of(first), filename="a.csv")
    assert (again.new_rows, again.existing_rows) == (0, 2)
    overlap = services.list_import(
        actor=officer_a,
        lst=lst,
        filename="b.csv",
        data=csv_of([first[0], ["李娜", "", "女", "1981-02-03", "13900000002", COMMUNITY_A, ""]]),
    )
    assert (overlap.new_rows, overlap.existing_rows) == (1, 1)
    assert ListRow.objects.filter(list=lst).count() == 3
    assert WorkItem.objects.filter(list=lst).count() == 2
    tally = ListTally.objects.get(list=lst, area=COMMUNITY_A)
    assert (tally.rows, tally.open) == (2, 2)
    assert reconciliation_differences() == []


def test_a_repeated_line_in_one_file_is_stored_once_and_reported(make_list: Any, officer_a: Any) -> None:
    lst = make_list()
    row = ["张伟", "", "男", "1980-01-02", "13900000001", COMMUNITY_A, ""]
    report = services.list_import(actor=officer_a, lst=lst, data=csv_of([row, row]), filename="a.csv")
    assert report.new_rows == 1
    assert [(e["line"], e["code"]) for e in report.errors] == [(3, "repeated_in_file")]


def test_the_source_remembers_its_column_mapping(make_list: Any, officer_a: Any, source: Any) -> None:
    services.source_mapping_save(
        actor=officer_a, source=source, mapping={"name": "旅客", "phone": "联系方式"}
    )
    lst = make_list()
    data = csv_of([["张伟", "13900000001", COMMUNITY_A]], header=("旅客", "联系方式", "社区代码"))
    report = services.list_import(actor=officer_a, lst=lst, data=data, filename="rail.csv")
    assert report.new_rows == 1 and report.error_rows == 0
    assert ListRow.objects.get(list=lst).phone_masked.startswith("139")


def test_a_file_without_a_name_column_is_refused(make_list: Any, officer_a: Any) -> None:
    from apps.common.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        services.list_import(
            actor=officer_a, lst=make_list(), data=csv_of([["x"]], header=("foo",)), filename="a.csv"
        )
    assert exc.value.code == "missing_columns"


def test_an_officer_of_another_district_cannot_import_into_the_list(make_list: Any, officer_b: Any) -> None:
    from apps.common.errors import Forbidden

    with pytest.raises(Forbidden):
        services.list_import(
            actor=officer_b, lst=make_list(), data=csv_of([["张伟"]], header=("姓名",)), filename="a.csv"
        )


def test_a_big_file_is_imported_by_a_background_job_with_progress(
    make_list: Any, officer_a: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TONGCHOU_IMPORT_BACKGROUND_ROWS = 5
    lst = make_list()
    rows = [[f"测试{i:03d}", "", "男", "1980-01-02", f"139000{i:05d}", COMMUNITY_A, ""] for i in range(12)]
    with django_capture_on_commit_callbacks(execute=True):
        report, queued = services.list_import_start(
            actor=officer_a, lst=lst, data=csv_of(rows), filename="big.csv"
        )
    assert queued and report.expected_rows == 12
    report = ListImport.objects.get(pk=report.pk)
    assert (report.status, report.processed_rows, report.new_rows) == (ImportState.DONE, 12, 12)
    assert report.upload_enc is None
    assert (
        services.list_import_run(import_id=report.pk) == ImportState.DONE
    )  # a retried job does nothing twice
    assert ListRow.objects.filter(list=lst).count() == 12


def test_15_digit_upgrade_matches_the_check_digit() -> None:
    from core.screening import upgrade_15

    number = idnum.make(DISTRICT_A, BIRTH, 7, "M")
    assert upgrade_15(to_15(number)) == number
