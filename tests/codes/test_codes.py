"""Health codes: recompute from facts, signed QR, keys and rotation, online verify, overrides, jurisdiction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from apps.accounts.models import AuditLog
from apps.codes import facts
from apps.codes.keys import key_rotate, public_keys
from apps.codes.models import HealthCode, Override
from apps.codes.services import (
    code_for,
    code_issue_qr,
    codes_recompute,
    codes_recompute_on_commit,
    declaration_submit,
    override_decide,
    override_request,
)
from apps.common.errors import Forbidden
from apps.people.pii import person_refs
from core import signing
from core.coderules import CaseStatus
from tests.factories import COMMUNITY_B, DISTRICT_A

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(person_factory: Any, officer_a: Any) -> Any:
    return person_factory(actor=officer_a)


@pytest.fixture
def confirmed_provider() -> Any:
    """A stand-in for the cases app: a set of person ids that are confirmed cases."""
    confirmed: set[int] = set()

    def provider(chunk: facts.PersonChunk) -> dict[int, dict[str, Any]]:
        today = timezone.localdate()
        return {
            pid: {"case_status": CaseStatus.CONFIRMED, "case_status_on": today}
            for pid in chunk.ids
            if pid in confirmed
        }

    facts.register(provider)
    yield confirmed
    facts.unregister(provider)


def test_it_gives_a_person_without_facts_a_green_code(person: Any) -> None:
    code = code_for(person)
    assert (code.colour, code.reasons, code.area_id) == ("green", [], person.area_id)


def test_it_turns_a_case_red_with_reasons_from_a_registered_provider(
    person: Any, confirmed_provider: Any
) -> None:
    code_for(person)
    confirmed_provider.add(person.pk)
    codes_recompute(person_ids=[person.pk])
    code = HealthCode.objects.get(pk=person.pk)
    assert code.colour == "red"
    assert [r["code"] for r in code.reasons] == ["confirmed_case"]
    assert code.reasons[0]["zh"] == "确诊病例"


def test_recompute_on_commit_waits_for_the_commit(
    person: Any, confirmed_provider: Any, django_capture_on_commit_callbacks: Any
) -> None:
    code_for(person)
    confirmed_provider.add(person.pk)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        codes_recompute_on_commit([person.pk])
        assert HealthCode.objects.get(pk=person.pk).colour == "green"
    assert len(callbacks) == 1
    assert HealthCode.objects.get(pk=person.pk).colour == "red"


@pytest.mark.parametrize("small_upsert", [200, 0])  # row by row, and through the staging table
def test_bulk_recompute_writes_only_changed_rows(
    person_factory: Any,
    officer_a: Any,
    confirmed_provider: Any,
    monkeypatch: pytest.MonkeyPatch,
    small_upsert: int,
) -> None:
    from apps.codes import services

    monkeypatch.setattr(services, "SMALL_UPSERT", small_upsert)
    people = [person_factory(actor=officer_a) for _ in range(5)]
    first = codes_recompute()
    assert (first.persons, first.written) == (5, 5)
    confirmed_provider.update({people[2].pk, people[4].pk})
    second = codes_recompute()
    assert (second.written, second.non_green) == (2, 2)
    stored = dict(HealthCode.objects.values_list("person_id", "colour"))
    assert [stored[p.pk] for p in people] == ["green", "green", "red", "green", "red"]
    assert [r["code"] for r in HealthCode.objects.get(pk=people[4].pk).reasons] == ["confirmed_case"]


def test_a_symptom_declaration_turns_the_code_yellow_until_a_test(
    person: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        declaration_submit(person=person, symptoms=True)
    code = HealthCode.objects.get(pk=person.pk)
    assert code.colour == "yellow"
    assert [r["code"] for r in code.reasons] == ["declared_symptoms"]


def test_the_qr_verifies_offline_with_the_published_keys(person: Any) -> None:
    qr, expires = code_issue_qr(code=code_for(person))
    verdict = signing.verify(qr, public_keys(), timezone.now(), expected_kind=signing.CodeKind.HEALTH)
    assert verdict.ok
    assert verdict.payload is not None and verdict.payload.ref != person.pk  # opaque, not the database id
    assert person_refs().decode(verdict.payload.ref) == person.pk
    assert str(person.doc_masked)[:4] not in qr  # no ID number inside
    assert expires <= timezone.now() + dt.timedelta(hours=1)


def test_codes_signed_by_a_rotated_key_keep_verifying_until_they_expire(person: Any) -> None:
    qr, expires = code_issue_qr(code=code_for(person))
    key_rotate()
    keys = public_keys()
    assert len(keys) == 2
    assert signing.verify(qr, keys, timezone.now()).ok
    assert signing.verify(qr, keys, expires).status is signing.VerdictStatus.EXPIRED
    fresh, _ = code_issue_qr(code=code_for(person))
    assert signing.decode(fresh).kid != signing.decode(qr).kid


def test_the_public_keys_endpoint_needs_no_sign_in(client: Any, person: Any) -> None:
    code_issue_qr(code=code_for(person))
    body = client.get("/api/codes/keys").json()
    assert body["alg"] == "Ed25519"
    assert len(body["keys"]) == 1 and len(body["keys"][0]["x"]) == 43


def test_online_verify_reports_a_colour_changed_since_issue(
    person: Any, make_user: Any, api_of: Any, confirmed_provider: Any
) -> None:
    qr, _ = code_issue_qr(code=code_for(person))
    confirmed_provider.add(person.pk)
    codes_recompute(person_ids=[person.pk])
    guard = make_user("checkpoint_operator", DISTRICT_A)
    body = api_of(guard).post("/api/codes/verify", {"code": qr}, content_type="application/json").json()
    assert body["status"] == "valid"
    assert (body["colour"], body["current_colour"], body["colour_changed"]) == ("green", "red", True)
    assert body["person_ref"] == signing.decode(qr).ref and "person_id" not in body


@pytest.mark.parametrize("text", ["", "garbage", "TC1:ZZZZ", "TV1:" + "0" * 40])
def test_online_verify_gives_a_verdict_for_malformed_text(text: str, make_user: Any, api_of: Any) -> None:
    guard = make_user("checkpoint_operator", DISTRICT_A)
    response = api_of(guard).post("/api/codes/verify", {"code": text}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == "malformed"


def test_online_verify_is_refused_to_users_without_the_right(make_user: Any, api_of: Any) -> None:
    econ = make_user("enterprise_user", DISTRICT_A)
    response = api_of(econ).post("/api/codes/verify", {"code": "x"}, content_type="application/json")
    assert response.status_code == 403


# --------------------------------------------------------------------------- overrides


def _request(actor: Any, person: Any, colour: str = "green") -> Override:
    return override_request(
        actor=actor,
        person=person,
        colour=colour,
        reason="Lab result was entered for the wrong person",
        valid_until=timezone.now() + dt.timedelta(days=3),
    )


def test_an_override_takes_effect_only_after_a_second_persons_approval(
    person: Any,
    officer_a: Any,
    make_user: Any,
    confirmed_provider: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    confirmed_provider.add(person.pk)
    assert code_for(person).colour == "red"
    override = _request(officer_a, person)
    assert HealthCode.objects.get(pk=person.pk).colour == "red"
    with pytest.raises(Forbidden) as exc:
        override_decide(actor=officer_a, override=override, approve=True)
    assert exc.value.code == "same_person"
    second = make_user("district_officer", DISTRICT_A)
    with django_capture_on_commit_callbacks(execute=True):
        override_decide(actor=second, override=override, approve=True, note="checked")
    code = HealthCode.objects.get(pk=person.pk)
    assert (code.colour, code.computed_colour, code.override_id) == ("green", "red", override.pk)
    actions = list(
        AuditLog.objects.filter(object_type="codes.override", object_id=str(override.pk)).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["code_override_approve", "code_override_request"]


def test_an_expired_override_no_longer_applies(
    person: Any, officer_a: Any, make_user: Any, confirmed_provider: Any
) -> None:
    confirmed_provider.add(person.pk)
    override = _request(officer_a, person)
    override_decide(actor=make_user("district_officer", DISTRICT_A), override=override, approve=True)
    codes_recompute(person_ids=[person.pk])
    assert HealthCode.objects.get(pk=person.pk).colour == "green"
    codes_recompute(person_ids=[person.pk], now=timezone.now() + dt.timedelta(days=4))
    assert HealthCode.objects.get(pk=person.pk).colour == "red"


def test_nobody_overrides_their_own_code(person: Any, officer_a: Any) -> None:
    officer_a.person = person
    officer_a.save()
    with pytest.raises(Forbidden) as exc:
        _request(officer_a, person)
    assert exc.value.code == "own_code"


def test_nobody_overrides_or_approves_outside_their_jurisdiction(
    person: Any, officer_a: Any, officer_b: Any, person_factory: Any
) -> None:
    with pytest.raises(Forbidden):
        _request(officer_b, person)
    override = _request(officer_a, person)
    with pytest.raises(Forbidden):
        override_decide(actor=officer_b, override=override, approve=True)
    assert Override.objects.get(pk=override.pk).status == "pending"


def test_the_override_api_names_every_invalid_field(person: Any, officer_a: Any, api_of: Any) -> None:
    too_late = (timezone.now() + dt.timedelta(days=60)).isoformat()  # beyond the 30 days an override may last
    body = {"person_id": person.pk, "colour": "green", "reason": "no", "valid_until": too_late}
    r = api_of(officer_a).post("/api/codes/overrides", body, content_type="application/json")
    assert r.status_code == 422
    assert {d["field"] for d in r.json()["details"]} == {"reason", "valid_until"}


def test_the_override_api_answers_alike_for_another_districts_person_and_a_missing_one(
    person: Any, officer_b: Any, api_of: Any
) -> None:
    body = {"colour": "green", "reason": "test result negative", "valid_until": (timezone.now() + dt.timedelta(days=60)).isoformat()}
    client = api_of(officer_b)
    theirs = client.post("/api/codes/overrides", {**body, "person_id": person.pk}, content_type="application/json")
    missing = client.post("/api/codes/overrides", {**body, "person_id": person.pk + 10_000},
                          content_type="application/json")
    assert (theirs.status_code, theirs.json()) == (missing.status_code, missing.json())
    assert theirs.status_code == 404


@pytest.mark.parametrize(
    "valid_until", ["2026-12-01T00:00:00", "2026-12-01", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59+08:00"]
)
def test_an_override_until_a_naive_bare_or_absurd_time_is_a_422_naming_it(
    person: Any, officer_a: Any, api_of: Any, valid_until: str
) -> None:
    body = {"person_id": person.pk, "colour": "green", "reason": "tested negative twice", "valid_until": valid_until}
    r = api_of(officer_a).post("/api/codes/overrides", body, content_type="application/json")
    assert r.status_code == 422, r.content
    assert [d["field"].split(".")[-1] for d in r.json()["details"]] == ["valid_until"]
    assert not Override.objects.exists()


# --------------------------------------------------------------------------- counts and jurisdiction


def test_colour_counts_cover_only_the_users_jurisdiction(
    person_factory: Any,
    officer_a: Any,
    officer_b: Any,
    api_of: Any,
    confirmed_provider: Any,
    django_assert_max_num_queries: Any,
) -> None:
    a = [person_factory(actor=officer_a) for _ in range(3)]
    b = person_factory(actor=officer_b, area_code=COMMUNITY_B)
    confirmed_provider.add(a[0].pk)
    codes_recompute()
    client = api_of(officer_a)
    with django_assert_max_num_queries(8):
        rows = client.get("/api/codes/counts").json()
    assert rows == [{"area": "990101", "green": 2, "yellow": 0, "red": 1, "total": 3}]
    assert api_of(officer_b).get("/api/codes/counts").json()[0]["total"] == 1
    assert api_of(officer_b).get(f"/api/codes/persons/{a[0].pk}").status_code == 404
    assert api_of(officer_a).get(f"/api/codes/persons/{a[0].pk}").json()["colour"] == "red"
    assert b.pk


def test_rule_set_changes_are_validated_and_need_the_right(
    make_user: Any, officer_a: Any, api_of: Any
) -> None:
    from core.coderules import DEFAULT_RULESET

    params = {**DEFAULT_RULESET.to_dict(), "version": "2020.2", "effective_from": "2020-03-01"}
    assert (
        api_of(officer_a)
        .post("/api/codes/rulesets", {"params": params}, content_type="application/json")
        .status_code
        == 403
    )
    commander = make_user("commander", "990100")
    bad = {**params, "quarantine_days": 0}
    r = api_of(commander).post("/api/codes/rulesets", {"params": bad}, content_type="application/json")
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "quarantine_days"
    r = api_of(commander).post("/api/codes/rulesets", {"params": params}, content_type="application/json")
    assert r.status_code == 201


def test_a_new_rule_set_re_evaluates_everyone(
    person: Any, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from core.coderules import DEFAULT_RULESET

    with django_capture_on_commit_callbacks(execute=True):
        declaration_submit(
            person=person, symptoms=False, arrived_on=timezone.localdate(), arrived_from_risk="medium"
        )
    assert HealthCode.objects.get(pk=person.pk).colour == "yellow"
    commander = make_user("commander", "990100")
    params = {
        **DEFAULT_RULESET.to_dict(),
        "version": "2020.3",
        "effective_from": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "medium_risk_arrival_colour": "green",
    }
    from apps.codes.services import ruleset_create

    with django_capture_on_commit_callbacks(execute=True):
        ruleset_create(actor=commander, params=params)
    code = HealthCode.objects.get(pk=person.pk)
    assert (code.colour, code.ruleset_version) == ("green", "2020.3")


def test_the_rotation_command_retires_the_old_key_and_is_audited(person: Any) -> None:
    from django.core.management import call_command

    old, _ = code_issue_qr(code=code_for(person))
    call_command("rotate_code_keys", stdout=__import__("io").StringIO())
    keys = public_keys()
    assert sum(k.retired_at is None for k in keys.values()) == 1
    assert signing.verify(old, keys, timezone.now()).ok
    assert AuditLog.objects.filter(action="key_rotate").count() == 1


def test_the_recompute_command_reports_a_summary(person_factory: Any, officer_a: Any) -> None:
    import io

    from django.core.management import call_command

    for _ in range(3):
        person_factory(actor=officer_a)
    out = io.StringIO()
    call_command("recompute_codes", verbosity=0, stdout=out)
    assert out.getvalue().startswith("3 persons, 3 codes written, 0 not green")


def test_a_code_computed_on_an_earlier_day_is_refreshed_when_shown(
    person: Any, confirmed_provider: Any, officer_a: Any, make_user: Any
) -> None:
    code_for(person)
    confirmed_provider.add(person.pk)
    HealthCode.objects.filter(pk=person.pk).update(computed_at=timezone.now() - dt.timedelta(days=1))
    assert code_for(person).colour == "red"


def test_a_medium_risk_arrival_stays_yellow_for_the_seeds_14_days(
    person: Any, officer_a: Any, api_of: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Arrived 10 days ago: yellow until day 14 under the default rule set (it was 7 days before).
    arrived = timezone.localdate() - dt.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        declaration_submit(person=person, symptoms=False, arrived_on=arrived, arrived_from_risk="medium")
    body = api_of(officer_a).get(f"/api/codes/persons/{person.pk}").json()
    assert body["colour"] == "yellow"
    assert body["changes_on"] == (arrived + dt.timedelta(days=14)).isoformat()
