"""Demo step: one user per role (two district officers, for two jurisdictions), printed with passwords."""

from __future__ import annotations

from typing import Any

from apps.accounts.choices import Role
from apps.accounts.models import RoleGrant, User
from apps.demo.generator import DemoContext
from apps.people.models import Person

NAME = "users"
CITY, DISTRICT_A, DISTRICT_B = "990100", "990101", "990102"

# username, role, area: officer_a and officer_b hold districts A and B so jurisdiction can be tried by hand.
DEMO_USERS: list[tuple[str, str, str]] = [
    ("commander", Role.COMMANDER, CITY),
    ("officer_a", Role.DISTRICT_OFFICER, DISTRICT_A),
    ("officer_b", Role.DISTRICT_OFFICER, DISTRICT_B),
    ("worker_a", Role.COMMUNITY_WORKER, DISTRICT_A + "001001"),
    ("guard", Role.CHECKPOINT_OPERATOR, DISTRICT_A),
    ("epi", Role.EPIDEMIOLOGIST, CITY),
    ("clinician", Role.CLINICIAN, CITY),
    ("qmanager", Role.QUARANTINE_MANAGER, DISTRICT_A),
    ("econ", Role.ECONOMIC_OFFICER, CITY),
    ("enterprise", Role.ENTERPRISE_USER, DISTRICT_A),
    ("citizen", Role.CITIZEN, DISTRICT_A),
    ("auditor", Role.AUDITOR, CITY),
]


def password_for(username: str) -> str:
    return f"demo-{username}-2020"


def run(ctx: DemoContext) -> dict[str, Any]:
    lines = []
    for username, role, area in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(password_for(username))
            user.is_staff = username == "commander"
            user.is_superuser = username == "commander"
            if role == Role.CITIZEN:
                user.person = Person.objects.filter(area__code__startswith=DISTRICT_A, doc_type="resident_id").order_by("id").first()
            user.save()
        RoleGrant.objects.get_or_create(user=user, role=role, area_id=area)
        lines.append(f"  {username:<11} {password_for(username):<24} {role} @ {area}")
    ctx.out("Demo users (username, password, role @ area):\n" + "\n".join(lines))
    return {"users": len(DEMO_USERS)}
