"""Personal data is encrypted at rest, masked by default, revealed only by permission and always audited."""

from __future__ import annotations

import pytest
from django.db import connection

from apps.accounts.models import AppendOnlyError, AuditLog
from apps.people.models import Person
from apps.people.pii import doc_key
from tests.factories import COMMUNITY_A, resident_id

pytestmark = pytest.mark.django_db

NAME, PHONE, ADDRESS = "王小明", "13812345678", "演示路88号3单元"


@pytest.fixture
def person(officer_a, person_factory):
    return person_factory(actor=officer_a, name=NAME, phone=PHONE, address=ADDRESS,
                          doc_number=resident_id(COMMUNITY_A))


def test_the_raw_database_row_holds_no_plaintext(person):
    plain = [NAME, PHONE, ADDRESS, person_doc := _plain_doc(person)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM people_person WHERE id = %s", [person.pk])
        row = cursor.fetchone()
    raw = " ".join(bytes(v).hex() + " " + bytes(v).decode("latin-1") if isinstance(v, (bytes, memoryview)) else str(v)
                   for v in row)
    for value in plain:
        assert value not in raw
        assert value.encode().hex() not in raw
    assert person_doc[:6] in raw  # the masked form keeps the area prefix, so the row is not simply empty


def _plain_doc(person: Person) -> str:
    from apps.people.services import person_plain

    return person_plain(person)["doc_number"]


def test_lookup_goes_through_the_keyed_hash(person):
    number = _plain_doc(person)
    assert Person.objects.get(dedup_key=doc_key("resident_id", number)) == person
    assert number not in doc_key("resident_id", number)


def test_lists_and_api_show_masked_values(person, officer_a, api_of, client_of):
    number = _plain_doc(person)
    item = api_of(officer_a).get(f"/api/persons/{person.pk}").json()
    assert item["doc_number"] == number[:6] + "********" + number[-4:]
    assert item["phone"] == "138****5678"
    assert item["name"] == "王*明"
    page = client_of(officer_a).get(f"/persons/{person.pk}/").content.decode()
    assert NAME not in page and PHONE not in page and number not in page


def test_reveal_returns_plaintext_and_is_audited(person, officer_a, api_of):
    response = api_of(officer_a).post(f"/api/persons/{person.pk}/reveal",
                                      {"fields": ["doc_number", "phone"], "reason": "流调核实"},
                                      content_type="application/json", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert response.json() == {"doc_number": _plain_doc(person), "phone": PHONE}
    entry = AuditLog.objects.get(action="reveal")
    assert (entry.actor, entry.object_id, entry.fields, entry.reason) == (officer_a, str(person.pk),
                                                                          ["doc_number", "phone"], "流调核实")
    assert entry.ip == "10.1.2.3"


def test_reveal_needs_the_reveal_permission(person, make_user, api_of):
    clinician = make_user("clinician", "990100")  # may see persons, may not reveal
    response = api_of(clinician).post(f"/api/persons/{person.pk}/reveal", {"fields": ["phone"]},
                                      content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "reveal_forbidden"
    assert not AuditLog.objects.filter(action="reveal").exists()


def test_reveal_from_the_page_is_audited(person, officer_a, client_of):
    response = client_of(officer_a).post(f"/persons/{person.pk}/reveal/", {"fields": ["phone"]})
    assert PHONE in response.content.decode()
    assert AuditLog.objects.filter(action="reveal", actor=officer_a).count() == 1


def test_a_change_is_audited_with_masked_before_and_after(person, officer_a, api_of):
    response = api_of(officer_a).patch(f"/api/persons/{person.pk}", {"phone": "13987654321"},
                                       content_type="application/json")
    assert response.status_code == 200
    entry = AuditLog.objects.get(action="update")
    assert entry.before == {"phone": "138****5678"}
    assert entry.after == {"phone": "139****4321"}
    assert "13987654321" not in str(entry.after)


def test_the_audit_log_cannot_be_changed_or_deleted(person):
    entry = AuditLog.objects.first()
    entry.reason = "rewritten"
    with pytest.raises(AppendOnlyError, match="^audit records cannot be changed$"):
        entry.save()
    with pytest.raises(AppendOnlyError, match="^audit records cannot be deleted$"):
        entry.delete()
    assert AuditLog.objects.get(pk=entry.pk).reason != "rewritten"


def test_the_audit_log_cannot_be_rewritten_in_bulk(person):
    from django.db import DatabaseError, transaction

    # The database's own trigger refuses it (IntegrityError on SQLite, InternalError on PostgreSQL).
    with pytest.raises(DatabaseError, match="the audit log is append-only"), transaction.atomic():
        AuditLog.objects.all().update(reason="rewritten")
    assert not AuditLog.objects.filter(reason="rewritten").exists()


def test_auditors_read_and_filter_the_log_others_cannot(person, officer_a, make_user, client_of, api_of):
    auditor = make_user("auditor", "990100")
    entries = api_of(auditor).get("/api/audit/", {"action": "create"}).json()
    assert [e["action"] for e in entries["items"]] == ["create"]
    assert client_of(auditor).get("/accounts/audit/?action=create").status_code == 200
    assert client_of(officer_a).get("/accounts/audit/").status_code == 403
    assert api_of(officer_a).get("/api/audit/").status_code == 403
