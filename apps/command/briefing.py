"""The daily briefing (疫情通报) in one module: figures at the cut-off (24:00 of the previous day, Shanghai), the
official-style text in Chinese and English, the workflow draft → edited → approved (figures frozen) → published,
corrections carried into the next briefing, and the PDF printed by headless Chromium."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from apps.accounts.audit import audit_record
from apps.accounts.choices import AuditAction, Perm
from apps.accounts.models import User
from apps.accounts.scoping import has_perm_at
from apps.cases.selectors import CaseFilters, cases_list
from apps.command.choices import BRIEFING_TRANSITIONS, BriefingStatus
from apps.command.models import Briefing
from apps.common.errors import Conflict, Forbidden, ValidationFailed

CITY = "990100"


def cutoff_day(now: dt.datetime | None = None) -> dt.date:
    """The day whose 24:00 is the cut-off: yesterday in Shanghai."""
    return timezone.localdate(now) - dt.timedelta(days=1)


def figures_at(*, user: User, day: dt.date) -> dict[str, Any]:
    """Every figure of the briefing as of 24:00 on `day`, each the count of a case list filtered to that day
    (reported up to and including `day`), so the lists reconcile with the briefing."""

    def n(**filters: Any) -> int:
        return cases_list(user=user, filters=CaseFilters(reported_to=day, **filters)).count()

    new = {"reported_from": day}
    out: dict[str, Any] = {
        "new_confirmed": n(klass="confirmed", **new),
        "new_imported": n(klass="confirmed", origin="imported", **new),
        "new_asymptomatic": n(klass="asymptomatic", **new),
        "confirmed": n(klass="confirmed"),
        "imported": n(klass="confirmed", origin="imported"),
        "local": n(klass="confirmed", origin="local"),
        "in_hospital": n(status="hospitalised") + n(status="confirmed"),
        "recovered": n(status="recovered"),
        "died": n(status="died"),
        "suspected": n(klass="suspected"),
    }
    ended = out["recovered"] + out["died"]
    out["cure_rate"] = round(100 * out["recovered"] / ended, 1) if ended else None
    out.update(_risk(day))
    out.update(_recovery(user, day))
    return out


def _risk(day: dt.date) -> dict[str, Any]:
    from apps.epi.models import DistrictRisk

    levels: dict[str, list[str]] = {"high": [], "medium": [], "low": []}
    for area_id, name, level in (
        DistrictRisk.objects.filter(day=day + dt.timedelta(days=1))
        .values_list("area_id", "area__name_zh", "level")
        .order_by("area_id")
    ):
        levels.setdefault(level, []).append(name or area_id)
    return {
        "risk_high": levels.get("high", []),
        "risk_medium": levels.get("medium", []),
        "risk_low_count": len(levels.get("low", [])),
    }


def _recovery(user: User, day: dt.date) -> dict[str, Any]:
    from apps.enterprises.selectors import enterprises_list, tickets_list
    from apps.projects.selectors import projects_list

    cutoff = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    total = enterprises_list(user=user).count()
    waiting = enterprises_list(user=user, status="not").count()
    projects = projects_list(user=user)
    return {
        "resumption_rate": round(100 * (total - waiting) / total, 1) if total else None,
        "projects": projects.count(),
        "projects_started": projects.exclude(stage="signed").count(),
        "hotline_handled": tickets_list(user=user).filter(resolved_at__lt=cutoff).count(),
    }


def _cn_day(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def text_zh(day: dt.date, f: dict[str, Any], corrections: list[dict[str, Any]]) -> str:
    """The official style of a municipal briefing (市卫健委通报)."""
    parts = [
        f"{_cn_day(day)}0—24时，全市新增确诊病例{f['new_confirmed']}例，其中境外输入及外地输入{f['new_imported']}例；"
        f"新增无症状感染者{f['new_asymptomatic']}例。",
        f"截至{_cn_day(day)}24时，全市累计报告确诊病例{f['confirmed']}例，其中本地病例{f['local']}例、输入病例{f['imported']}例；"
        f"累计治愈出院{f['recovered']}例，死亡{f['died']}例，现有在院治疗{f['in_hospital']}例"
        + (f"，治愈率{f['cure_rate']}%。" if f.get("cure_rate") is not None else "。")
        + f"尚有疑似病例{f['suspected']}例。",
        "全市高风险地区："
        + ("、".join(f["risk_high"]) or "无")
        + "；中风险地区："
        + ("、".join(f["risk_medium"]) or "无")
        + f"；其余{f['risk_low_count']}个区为低风险地区。",
        (
            f"复工复产方面，全市企业复工率{f['resumption_rate']}%；"
            if f.get("resumption_rate") is not None
            else "复工复产方面，"
        )
        + f"重大项目{f['projects']}个，已开工{f['projects_started']}个；企业服务热线累计办结{f['hotline_handled']}件。",
    ]
    for c in corrections:
        parts.append(f"更正：{c['day']}通报中“{c['figure']}”应为{c['now']}（原通报{c['was']}）。")
    return "\n".join(parts)


def text_en(day: dt.date, f: dict[str, Any], corrections: list[dict[str, Any]]) -> str:
    d = day.strftime("%-d %B %Y")
    parts = [
        f"From 0:00 to 24:00 on {d}, the city reported {f['new_confirmed']} new confirmed cases, "
        f"{f['new_imported']} of them imported from abroad or other areas, and {f['new_asymptomatic']} new asymptomatic infections.",
        f"As of 24:00 on {d}, the city has reported {f['confirmed']} confirmed cases in total ({f['local']} local, "
        f"{f['imported']} imported); {f['recovered']} have been cured and discharged, {f['died']} have died and "
        f"{f['in_hospital']} are in hospital"
        + (f" (cure rate {f['cure_rate']}%)." if f.get("cure_rate") is not None else ".")
        + f" {f['suspected']} suspected cases remain.",
        "High-risk districts: "
        + (", ".join(f["risk_high"]) or "none")
        + "; medium-risk: "
        + (", ".join(f["risk_medium"]) or "none")
        + f"; the other {f['risk_low_count']} districts are low-risk.",
        "Recovery: "
        + (
            f"{f['resumption_rate']}% of enterprises have resumed work; "
            if f.get("resumption_rate") is not None
            else ""
        )
        + f"{f['projects_started']} of {f['projects']} major projects have started; the enterprise hotline has "
        f"handled {f['hotline_handled']} tickets.",
    ]
    for c in corrections:
        parts.append(
            f"Correction: in the briefing of {c['day']}, “{c['figure']}” should read {c['now']} (was {c['was']})."
        )
    return "\n".join(parts)


CORRECTED = ("confirmed", "recovered", "died", "imported", "local")


def _corrections(user: User, day: dt.date) -> list[dict[str, Any]]:
    """Figures of the last approved briefing before `day` that differ today (late reports): said in this one."""
    last = Briefing.objects.filter(
        day__lt=day, status__in=[BriefingStatus.APPROVED, BriefingStatus.PUBLISHED]
    ).first()
    if last is None:
        return []
    now = figures_at(user=user, day=last.day)
    return [
        {"day": last.day.isoformat(), "figure": key, "was": last.figures.get(key), "now": now[key]}
        for key in CORRECTED
        if last.figures.get(key) is not None and last.figures.get(key) != now[key]
    ]


@transaction.atomic
def briefing_draft(
    *, actor: User, day: dt.date | None = None, request: HttpRequest | None = None
) -> Briefing:
    """Draft (or redraft, while not approved) the briefing of `day`, by default the last cut-off."""
    if not has_perm_at(actor, Perm.BRIEFING_EDIT, CITY):
        raise Forbidden("forbidden", "only the city headquarters drafts the briefing")
    day = day or cutoff_day()
    if day > cutoff_day():
        raise ValidationFailed(
            "future_day", "the cut-off has not passed yet", [{"field": "day", "message": "future"}]
        )
    briefing = Briefing.objects.select_for_update().filter(day=day).first()
    if briefing is not None and briefing.status in (BriefingStatus.APPROVED, BriefingStatus.PUBLISHED):
        raise Conflict("frozen", "an approved briefing is not rewritten; corrections go into the next one")
    figures = figures_at(user=actor, day=day)
    corrections = _corrections(actor, day)
    briefing, _ = Briefing.objects.update_or_create(
        day=day,
        defaults={
            "status": BriefingStatus.DRAFT,
            "figures": figures,
            "corrections": corrections,
            "text_zh": text_zh(day, figures, corrections),
            "text_en": text_en(day, figures, corrections),
            "drafted_by": actor,
        },
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=briefing, request=request)
    return briefing


def _move(briefing: Briefing, to: str) -> None:
    if to not in BRIEFING_TRANSITIONS[briefing.status]:
        raise Conflict("bad_transition", f"a {briefing.status} briefing cannot become {to}")
    briefing.status = to


@transaction.atomic
def briefing_edit(
    *, actor: User, briefing: Briefing, text_zh: str, text_en: str, request: HttpRequest | None = None
) -> Briefing:
    if not has_perm_at(actor, Perm.BRIEFING_EDIT, CITY):
        raise Forbidden("forbidden", "only the city headquarters drafts the briefing")
    briefing = Briefing.objects.select_for_update().get(pk=briefing.pk)
    if not text_zh.strip() or not text_en.strip():
        raise ValidationFailed(
            "required", "the briefing text is empty", [{"field": "text_zh", "message": "required"}]
        )
    _move(briefing, BriefingStatus.EDITED)
    briefing.text_zh, briefing.text_en = text_zh.strip()[:5000], text_en.strip()[:5000]
    briefing.save(update_fields=["status", "text_zh", "text_en"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=briefing, fields=["text_zh", "text_en"], request=request
    )
    return briefing


@transaction.atomic
def briefing_approve(
    *, actor: User, briefing: Briefing, publish: bool = False, request: HttpRequest | None = None
) -> Briefing:
    """A commander approves (the figures are frozen from now) and, in the same step or later, publishes."""
    if not has_perm_at(actor, Perm.BRIEFING_APPROVE, CITY):
        raise Forbidden("forbidden", "only a commander of the city approves the briefing")
    briefing = Briefing.objects.select_for_update().get(pk=briefing.pk)
    now = timezone.now()
    if briefing.status != BriefingStatus.APPROVED:
        _move(briefing, BriefingStatus.APPROVED)
        briefing.approved_by, briefing.approved_at = actor, now
    if publish:
        _move(briefing, BriefingStatus.PUBLISHED)
        briefing.published_at = now
    briefing.save(update_fields=["status", "approved_by", "approved_at", "published_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=briefing, fields=["status"], request=request)
    return briefing


def briefing_pdf(html: str) -> bytes:
    """Print the briefing's page with headless Chromium (Debian's /usr/bin/chromium, Noto CJK fonts).

    Printed on a thread of its own: Playwright's synchronous API refuses to start where an asyncio loop runs
    (an ASGI server, or a test process that drives a browser already), and a fresh thread has none.
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_print_pdf, html).result()


def _print_pdf(html: str) -> bytes:
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    executable = getattr(settings, "TONGCHOU_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.set_content(html, wait_until="load")
            return page.pdf(
                format="A4",
                print_background=True,
                margin={"top": "2cm", "bottom": "2cm", "left": "2cm", "right": "2cm"},
            )
        finally:
            browser.close()
