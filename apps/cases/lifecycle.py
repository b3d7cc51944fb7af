"""The case life cycle in one table: which status may follow which, and which date each step stamps.

发热门诊 → 疑似 → 确诊 / 无症状 / 排除; 无症状 → 确诊; 确诊 → 定点医院 → 治愈 / 死亡. Anything not in
the table is refused; every allowed step is timestamped with its actor in a CaseEvent (see services).
"""

from __future__ import annotations

from apps.cases.choices import CaseStatus as S

# (from, to) → the Case date fields the step stamps when they are still empty, in order.
TRANSITIONS: dict[tuple[str, str], tuple[str, ...]] = {
    (S.FEVER, S.SUSPECTED): ("reported_at",),
    (S.FEVER, S.EXCLUDED): ("closed_at",),
    (S.SUSPECTED, S.CONFIRMED): ("reported_at", "confirmed_at"),
    (S.SUSPECTED, S.ASYMPTOMATIC): ("reported_at", "lab_confirmed_at"),
    (S.SUSPECTED, S.EXCLUDED): ("closed_at",),
    (S.ASYMPTOMATIC, S.CONFIRMED): ("confirmed_at",),
    # Released from medical observation at the end of isolation (解除医学观察).
    (S.ASYMPTOMATIC, S.RECOVERED): ("closed_at",),
    # Admission isolates the person unless a quarantine already had (services keep isolated_at the earliest).
    (S.CONFIRMED, S.HOSPITALISED): ("admitted_at",),
    (S.HOSPITALISED, S.RECOVERED): ("discharged_at", "closed_at"),
    (S.HOSPITALISED, S.DIED): ("closed_at",),
}

INITIAL_STATUSES = (S.FEVER, S.SUSPECTED)


def allowed_next(status: str) -> list[str]:
    return [to for (frm, to) in TRANSITIONS if frm == status]


def is_allowed(frm: str, to: str) -> bool:
    return (frm, to) in TRANSITIONS
