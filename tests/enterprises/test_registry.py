"""Registry: credit-code validation at the API and import level, re-import, export, masking and audited reveal."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

from apps.accounts.models import AuditLog
from apps.enterprises.choices import DEFAULT_GUIDELINE
from apps.enterprises.models import Enterprise
from core import creditcode, tabular
from tests.enterprises.conftest import new_code
from tests.factories import COMMUNITY_A, COMMUNITY_B

ALL_MEASURES = [code for code, *_ in DEFAULT_GUIDELINE]

HEADER = [
    "统一社会信用代码",
    "企业名称",
    "行业门类",
    "区划代码",
    "企业规模",
    "四上企业",
    "职工人数",
    "联系人",
    "联系电话",
]


def _body(**fields: Any) -> dict[str, Any]:
    return {
        "credit_code": new_code(),
        "name": "甲区电机厂",
        "industry_section": "C",
        "area_code": COMMUNITY_A,
        "size_class": "medium",
        "above_designated": True,
        "employees": 320,
        "contact_name": "李四",
        "contact_phone": "13800001111",
        **fields,
    }


def _wrong_check(code: str) -> str:
    wrong = next(c for c in "0123456789" if c != code[17])
    return code[:17] + wrong


def test_it_rejects_a_credit_code_with_a_wrong_check_character(econ_a, api_of):
    code = new_code()
    response = api_of(econ_a).post(
        "/api/enterprises/", _body(credit_code=_wrong_check(code)), content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_credit_code"
    problem = next(d for d in body["details"] if d["code"] == "credit_code_check_character")
    assert problem["position"] == 18 and problem["expected"] == code[17]
    assert not Enterprise.objects.exists()


def test_it_normalises_and_accepts_a_valid_code(econ_a, api_of):
    code = new_code()
    spaced = f" {code[:6].lower()} {code[6:]} "
    response = api_of(econ_a).post(
        "/api/enterprises/", _body(credit_code=spaced), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["credit_code"] == code
    again = api_of(econ_a).post("/api/enterprises/", _body(credit_code=code), content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "duplicate_enterprise"


def _csv(rows: list[list[str]]) -> bytes:
    return tabular.write_csv(HEADER, rows)


def test_import_reports_each_bad_row_and_keeps_the_good_ones(econ_a, api_of):
    good, bad = new_code(), new_code()
    data = _csv(
        [
            [good, "好企业", "C", COMMUNITY_A, "小型", "是", "50", "王五", "13900000001"],
            [_wrong_check(bad), "坏代码", "C", COMMUNITY_A, "小型", "否", "5", "", ""],
            [new_code(), "坏行业", "Z", COMMUNITY_A, "小型", "否", "5", "", ""],
            [new_code(), "别区", "C", COMMUNITY_B, "小型", "否", "5", "", ""],
            ["ABC", "太短", "C", COMMUNITY_A, "小型", "否", "5", "", ""],
        ]
    )
    response = api_of(econ_a).post("/api/enterprises/import", {"file": _upload(data, "list.csv")})
    assert response.status_code == 200, response.content
    out = response.json()
    assert (out["total_rows"], out["created_rows"], out["error_rows"]) == (5, 1, 4)
    by_line = {e["line"]: e["code"] for e in out["errors"]}
    assert by_line == {
        3: "credit_code_check_character",
        4: "unknown_industry",
        5: "outside_jurisdiction",
        6: "credit_code_length",
    }
    ent = Enterprise.objects.get(credit_code=good)
    assert ent.above_designated and ent.size_class == "small" and ent.contact_name_masked == "王*"


def _upload(data: bytes, name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_reimporting_the_same_file_creates_and_changes_nothing(econ_a, api_of):
    rows = [
        [new_code(), f"企业{i}", "F", COMMUNITY_A, "micro", "no", str(i), "赵六", "13900000002"]
        for i in range(5)
    ]
    client = api_of(econ_a)
    first = client.post("/api/enterprises/import", {"file": _upload(_csv(rows), "a.csv")}).json()
    second = client.post("/api/enterprises/import", {"file": _upload(_csv(rows), "a.csv")}).json()
    assert first["created_rows"] == 5 and second["created_rows"] == 0 and second["existing_rows"] == 5
    assert Enterprise.objects.count() == 5
    rows[0][6] = "999"
    third = client.post("/api/enterprises/import", {"file": _upload(_csv(rows), "a.csv")}).json()
    assert third["created_rows"] == 0
    assert Enterprise.objects.get(credit_code=rows[0][0]).employees == 999


def test_export_round_trips_through_import_as_xlsx(econ_a, api_of, ent_a):
    client = api_of(econ_a)
    response = client.get("/api/enterprises/export?format=xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][1] == "credit_code" and values[1][1] == ent_a.credit_code
    assert values[1][10] == ent_a.contact_name_masked  # masked, never the plain name
    again = client.post("/api/enterprises/import", {"file": _upload(response.content, "export.xlsx")}).json()
    assert again["error_rows"] == 0 and again["created_rows"] == 0 and again["existing_rows"] == 1
    assert AuditLog.objects.filter(action="export", object_type="enterprises.enterprise").exists()


def test_contact_is_masked_and_reveal_is_audited(econ_a, econ_b, api_of, ent_a, make_user):
    listed = api_of(econ_a).get("/api/enterprises/").json()["items"][0]
    assert listed["contact_name"] == "张*丰" and listed["contact_phone"] == "139****5678"
    revealed = api_of(econ_a).post(
        f"/api/enterprises/{ent_a.pk}/reveal", {"reason": "call"}, content_type="application/json"
    )
    assert revealed.json() == {"contact_name": "张三丰", "contact_phone": "13912345678"}
    assert AuditLog.objects.filter(action="reveal", object_id=str(ent_a.pk), reason="call").count() == 1
    district_officer = make_user("district_officer", "990101", username="plain_officer")
    denied = api_of(district_officer).post(
        f"/api/enterprises/{ent_a.pk}/reveal", {}, content_type="application/json"
    )
    assert denied.status_code == 403
    assert (
        api_of(econ_b)
        .post(f"/api/enterprises/{ent_a.pk}/reveal", {}, content_type="application/json")
        .status_code
        == 404
    )


def test_generated_demo_codes_validate():
    import random

    rng = random.Random(1)
    assert all(creditcode.validate(creditcode.generate(rng, "990103")).ok for _ in range(50))


def test_every_list_exports_and_only_for_exporters(econ_a, api_of, ent_user, make_user):
    from apps.enterprises import services

    services.commitment_file(
        actor=ent_user,
        data={
            "planned_date": "2020-02-20",
            "employees_returning": 5,
            "measures": ALL_MEASURES,
            "text": "承诺",
        },
    )
    client = api_of(econ_a)
    for url in (
        "/api/enterprises/commitments/export",
        "/api/enterprises/power/export",
        "/api/enterprises/deliveries/export",
        "/api/hotline/tickets/export",
    ):
        response = client.get(url + "?format=csv")
        assert response.status_code == 200, url
    body = client.get("/api/enterprises/commitments/export?format=csv").content.decode("utf-8-sig")
    assert "masks" in body and "partly" in body
    assert client.get("/api/enterprises/deliveries").json()["items"] == []
    district_officer = make_user("district_officer", "990101", username="viewer")
    assert api_of(district_officer).get("/api/enterprises/commitments/export").status_code == 403
