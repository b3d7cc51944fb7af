"""Imports report every bad row with its line and reason, keep the good ones, and never duplicate on re-import."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.people.models import ImportBatch, Person
from core import idnum
from tests.factories import COMMUNITY_A, resident_id

pytestmark = pytest.mark.django_db


def _bad_check_digit() -> str:
    good = resident_id(COMMUNITY_A)
    return good[:17] + ("0" if good[17] != "0" else "1")


@pytest.fixture
def mixed_csv() -> bytes:
    rows = [
        "姓名,身份证号,手机号,社区代码,住址,户号,与户主关系",
        f"张三,{resident_id(COMMUNITY_A)},13800000001,{COMMUNITY_A},演示路1号,H1,户主",        # line 2 ok
        f"李四,{_bad_check_digit()},13800000002,{COMMUNITY_A},演示路2号,H1,配偶",              # line 3 check digit
        f"王五,{resident_id(COMMUNITY_A)},123,{COMMUNITY_A},演示路3号,,",                       # line 4 phone
        f"赵六,{resident_id(COMMUNITY_A)},13800000004,990101999999,演示路4号,,",                 # line 5 area
        f"钱七,{resident_id(COMMUNITY_A)},13800000005,{COMMUNITY_A},演示路5号,H1,子女",          # line 6 ok
    ]
    return ("\n".join(rows) + "\n").encode()


def _upload(api, data: bytes, name: str = "list.csv", mapping: dict | None = None):
    payload = {"file": SimpleUploadedFile(name, data)}
    if mapping:
        payload["mapping"] = json.dumps(mapping)
    return api.post("/api/persons/import", payload)


def test_bad_rows_are_reported_by_line_and_good_rows_kept(officer_a, api_of, mixed_csv):
    response = _upload(api_of(officer_a), mixed_csv)
    assert response.status_code == 200, response.json()
    report = response.json()
    assert (report["total_rows"], report["created_rows"], report["error_rows"]) == (5, 2, 3)
    assert [(e["line"], e["field"], e["code"]) for e in report["errors"]] == [
        (3, "doc_number", "check_digit"), (4, "phone", "format"), (5, "area_code", "unknown")]
    assert Person.objects.count() == 2
    head = Person.objects.get(relation="head")
    assert head.household.members.count() == 2


def test_re_importing_the_same_file_creates_no_duplicates(officer_a, api_of, mixed_csv):
    api = api_of(officer_a)
    _upload(api, mixed_csv)
    again = _upload(api, mixed_csv).json()
    assert (again["created_rows"], again["existing_rows"]) == (0, 2)
    assert Person.objects.count() == 2
    assert ImportBatch.objects.count() == 2


def test_a_row_repeated_in_the_file_is_reported_once_stored_once(officer_a, api_of):
    number = resident_id(COMMUNITY_A)
    data = f"姓名,身份证号,社区代码\n甲,{number},{COMMUNITY_A}\n甲,{number},{COMMUNITY_A}\n".encode()
    report = _upload(api_of(officer_a), data).json()
    assert report["created_rows"] == 1
    assert [(e["line"], e["code"]) for e in report["errors"]] == [(3, "repeated_in_file")]


def test_xlsx_with_an_explicit_column_mapping(officer_a, api_of):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Person", "Document", "Community", "Mobile"])
    sheet.append(["孙八", resident_id(COMMUNITY_A), COMMUNITY_A, "13800000008"])
    sheet.append(["周九", "not-an-id", COMMUNITY_A, "13800000009"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = _upload(api_of(officer_a), buffer.getvalue(), "list.xlsx",
                     {"name": "Person", "doc_number": "Document", "area_code": "Community", "phone": "Mobile"}).json()
    assert report["created_rows"] == 1
    assert [(e["line"], e["field"]) for e in report["errors"]] == [(3, "doc_number")]


def test_a_file_without_required_columns_is_refused_with_a_reason(officer_a, api_of):
    response = _upload(api_of(officer_a), b"foo,bar\n1,2\n")
    assert response.status_code == 422
    assert response.json()["code"] == "missing_columns"


def test_gb18030_files_from_older_spreadsheets_are_read(officer_a, api_of):
    data = f"姓名,身份证号,社区代码\n吴十,{resident_id(COMMUNITY_A)},{COMMUNITY_A}\n".encode("gb18030")
    assert _upload(api_of(officer_a), data).json()["created_rows"] == 1


def test_the_import_page_shows_the_row_report(officer_a, client_of, mixed_csv):
    response = client_of(officer_a).post("/persons/import/", {"file": SimpleUploadedFile("list.csv", mixed_csv)})
    html = response.content.decode()
    assert response.status_code == 200
    for line in ("3", "4", "5"):
        assert f"<td>{line}</td>" in html


def test_export_csv_and_xlsx_are_masked_and_audited(officer_a, person_factory, client_of):
    number = idnum.make("990101", __import__("datetime").date(1970, 1, 1), 11, "M")
    person = person_factory(actor=officer_a, doc_number=number)
    client = client_of(officer_a)
    csv_text = client.get("/persons/export/?format=csv").content.decode("utf-8-sig")
    assert person.doc_masked in csv_text and number not in csv_text
    book = openpyxl.load_workbook(io.BytesIO(client.get("/persons/export/?format=xlsx").content))
    values = [c for row in book.active.iter_rows(values_only=True) for c in row]
    assert person.doc_masked in values and number not in values
    from apps.accounts.models import AuditLog

    assert AuditLog.objects.filter(action="export", actor=officer_a).count() == 2


def test_an_exported_file_is_rejected_on_import_because_it_is_masked(officer_a, person_factory, client_of, api_of):
    person_factory(actor=officer_a)
    exported = client_of(officer_a).get("/persons/export/?format=csv").content
    report = _upload(api_of(officer_a), exported).json()
    assert report["created_rows"] == 0
    assert Person.objects.count() == 1


@pytest.mark.parametrize("mapping", ["not json", "[1]", '{"name": 3}'])
def test_the_import_pages_refuse_a_mapping_that_is_not_an_object_of_column_names(
    officer_a, make_user, client_of, mixed_csv, mapping
):
    """The pages read `mapping` through the API's own check (apps.common.apitypes.column_mapping)."""
    page = client_of(officer_a).post(
        "/persons/import/", {"file": SimpleUploadedFile("list.csv", mixed_csv), "mapping": mapping}
    )
    assert page.status_code == 200 and "列对应关系必须是以列名为值的 JSON 对象" in page.content.decode()
    econ = make_user("economic_officer", "990101", username="econ_map")
    firms = client_of(econ).post(
        "/enterprises/import/", {"file": SimpleUploadedFile("firms.csv", b"name\nA\n"), "mapping": mapping}
    )
    # Both pages show the message in the user's language (the API keeps it in English).
    assert firms.status_code == 200 and "列对应关系必须是以列名为值的 JSON 对象" in firms.content.decode()
