"""Sign-in with argon2 passwords, lockout after repeated failures, sessions for pages, tokens for devices."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.models import ApiToken, AuditLog, User
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_the_product_hashes_passwords_with_argon2():
    from tongchou import settings as product

    assert product.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_signing_in_opens_the_home_page(officer_a):
    client = Client()
    response = client.post("/accounts/login/", {"username": "officer_a", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert AuditLog.objects.filter(action="login", actor=officer_a).exists()


def test_pages_need_a_session(city):
    response = Client().get("/persons/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_five_wrong_passwords_lock_that_address_even_against_the_right_one(officer_a, settings):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(settings.LOCKOUT_THRESHOLD):
        response = client.post("/accounts/login/", {"username": "officer_a", "password": "wrong-password"})
        assert response.status_code == 401
    response = client.post("/accounts/login/", {"username": "officer_a", "password": TEST_PASSWORD})
    assert response.status_code == 401  # the form again with the lock message, not a redirect
    assert client.get("/persons/").status_code == 302
    assert AuditLog.objects.filter(action="login_failed").count() == settings.LOCKOUT_THRESHOLD
    assert AuditLog.objects.filter(action="locked_out").count() == 1


def test_a_strangers_wrong_passwords_do_not_lock_the_user_out_of_their_own_address(officer_a, settings):
    stranger = Client(REMOTE_ADDR="198.51.100.9")
    for _ in range(settings.LOCKOUT_THRESHOLD + 2):
        stranger.post("/accounts/login/", {"username": "officer_a", "password": "wrong-password"})
    at_home = Client(REMOTE_ADDR="192.0.2.10")
    assert at_home.post("/accounts/login/", {"username": "officer_a", "password": TEST_PASSWORD}).status_code == 302
    token = Client(REMOTE_ADDR="192.0.2.10").post(
        "/api/auth/token", {"username": "officer_a", "password": TEST_PASSWORD, "name": "phone"},
        content_type="application/json",
    )
    assert token.status_code == 200
    officer_a.refresh_from_db()
    assert not officer_a.is_locked()


@pytest.mark.parametrize("url", ["/accounts/login/", "/api/auth/token"])
def test_unknown_and_known_usernames_get_the_same_answers(officer_a, settings, url):
    def answers(username: str) -> list[tuple[int, str]]:
        client = Client(REMOTE_ADDR="198.51.100.20")
        out = []
        for _ in range(settings.LOCKOUT_THRESHOLD + 1):
            if url.startswith("/api/"):
                r = client.post(url, {"username": username, "password": "wrong", "name": "x"},
                                content_type="application/json")
                out.append((r.status_code, r.json()["code"]))
            else:
                r = client.post(url, {"username": username, "password": "wrong"})
                text = r.content.decode()
                out.append((r.status_code, "locked" if "lock" in text.lower() or "锁定" in text else "invalid"))
        return out

    known, unknown = answers("officer_a"), answers("nobody_by_that_name")
    assert known == unknown
    assert known[0][1].startswith("invalid") and known[-1][1] == "locked"  # unknown names are throttled too, so the lock does not reveal them


def test_both_paths_check_one_password_hash(officer_a, monkeypatch):
    from apps.accounts import services

    calls = []
    real = services.check_password
    monkeypatch.setattr(services, "check_password", lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setattr(User, "check_password", lambda self, raw: calls.append(1) or False)
    for name in ("officer_a", "nobody_by_that_name"):
        calls.clear()
        services.login_attempt(username=name, password="wrong")
        assert len(calls) == 1, name


def test_a_locked_accounts_tokens_stop_working_while_it_is_locked(officer_a, api_of):
    import datetime as dt

    from django.utils import timezone

    client = api_of(officer_a)
    assert client.get("/api/auth/me").status_code == 200
    User.objects.filter(pk=officer_a.pk).update(locked_until=timezone.now() + dt.timedelta(minutes=15))
    assert client.get("/api/auth/me").status_code == 401
    User.objects.filter(pk=officer_a.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/api/auth/me").status_code == 200


def test_the_lock_expires(officer_a, settings):
    import datetime as dt

    from django.utils import timezone

    User.objects.filter(pk=officer_a.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert Client().post("/accounts/login/", {"username": "officer_a", "password": TEST_PASSWORD}).status_code == 302


def test_a_token_is_issued_for_the_right_password_and_stored_hashed(officer_a):
    response = Client().post("/api/auth/token", {"username": "officer_a", "password": TEST_PASSWORD, "name": "phone"},
                             content_type="application/json")
    assert response.status_code == 200
    key = response.json()["token"]
    assert not ApiToken.objects.filter(key_hash=key).exists()
    assert ApiToken.objects.filter(key_hash=ApiToken.hash_key(key)).exists()
    me = Client(headers={"Authorization": f"Bearer {key}"}).get("/api/auth/me").json()
    assert (me["username"], me["roles"]) == ("officer_a", ["district_officer"])


def test_a_wrong_password_gets_a_json_401(officer_a):
    response = Client().post("/api/auth/token", {"username": "officer_a", "password": "nope-nope-nope"},
                             content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_a_locked_account_gets_no_token(officer_a, settings):
    client = Client()
    for _ in range(settings.LOCKOUT_THRESHOLD):
        client.post("/api/auth/token", {"username": "officer_a", "password": "wrong"}, content_type="application/json")
    response = client.post("/api/auth/token", {"username": "officer_a", "password": TEST_PASSWORD},
                           content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "locked"


def test_revoked_and_unknown_tokens_are_refused(officer_a, api_of):
    client = api_of(officer_a)
    assert client.get("/api/auth/me").status_code == 200
    ApiToken.objects.update(revoked=True)
    response = client.get("/api/auth/me")
    assert response.status_code == 401
    assert set(response.json()) >= {"code", "message"}
    assert Client(headers={"Authorization": "Bearer tc_made_up"}).get("/api/auth/me").status_code == 401


def test_the_daily_purge_forgets_quiet_failures_and_keeps_recent_ones_and_live_locks(officer_a, settings):
    """Wrong guesses from long ago do not add up to a lock-out months later, and a live lock survives the purge."""
    from apps.accounts.models import LoginThrottle
    from apps.accounts.tasks import purge_login_throttles

    def fail(address: str, times: int) -> None:
        for _ in range(times):
            Client(REMOTE_ADDR=address).post("/accounts/login/", {"username": "officer_a", "password": "wrong"})

    fail("192.0.2.1", settings.LOCKOUT_THRESHOLD - 1)  # quiet for two days: forgotten
    fail("192.0.2.2", settings.LOCKOUT_THRESHOLD)  # locked, its lock moved past the purge: kept
    fail("192.0.2.3", 1)  # an hour ago: kept
    now = timezone.now()
    key = {a: LoginThrottle.key_for("officer_a", a) for a in ("192.0.2.1", "192.0.2.2", "192.0.2.3")}
    LoginThrottle.objects.filter(key__in=[key["192.0.2.1"], key["192.0.2.2"]]).update(
        last_failure_at=now - dt.timedelta(days=2)
    )
    LoginThrottle.objects.filter(key=key["192.0.2.2"]).update(locked_until=now + dt.timedelta(minutes=5))
    LoginThrottle.objects.filter(key=key["192.0.2.3"]).update(last_failure_at=now - dt.timedelta(hours=1))

    assert purge_login_throttles.enqueue().return_value == 1  # the immediate backend in tests
    assert set(LoginThrottle.objects.values_list("key", flat=True)) == {key["192.0.2.2"], key["192.0.2.3"]}
    # The quiet address starts again from zero: one more wrong guess does not lock it.
    fail("192.0.2.1", 1)
    assert Client(REMOTE_ADDR="192.0.2.1").post(
        "/accounts/login/", {"username": "officer_a", "password": TEST_PASSWORD}
    ).status_code == 302


def test_an_audit_reason_is_kept_whole_up_to_its_cap_and_cut_with_a_mark_beyond(officer_a):
    from apps.accounts.audit import AUDIT_REASON_MAX, audit_record

    whole = audit_record(actor=officer_a, action="update", obj=officer_a, reason="因" * AUDIT_REASON_MAX)
    cut = audit_record(actor=officer_a, action="update", obj=officer_a, reason="因" * (AUDIT_REASON_MAX * 40))
    whole.refresh_from_db()
    cut.refresh_from_db()
    assert whole.reason == "因" * AUDIT_REASON_MAX
    assert len(cut.reason) == AUDIT_REASON_MAX and cut.reason.endswith("因…")
