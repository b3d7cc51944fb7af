"""Demo step: three sources with dirty lists (rail arrivals, an employer's returning workers, fever patients from
clinics as key persons), linked to the registry, with work items at every stage: waiting for review, open,
visited, escalated, reassigned, resolved by a reviewer's link."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from apps.accounts.models import User
from apps.demo.generator import DemoContext
from apps.people import pii
from apps.people.models import Person
from apps.screening import services
from apps.screening.choices import CandidateStatus, ListPurpose, SourceKind, VisitRule, WorkStatus
from apps.screening.models import KeyPersonCategory, LinkCandidate, ScreeningList, ScreeningSource, WorkItem
from core import dirtylists, synthetic, tabular

NAME = "screening"
DISTRICT = "990101"
COLUMNS = ("name", "doc_number", "sex", "birth_date", "phone", "area_code", "address")
HEADERS = {  # each source sends its own column names; the saved mapping reads them
    "rail": ("旅客姓名", "证件号码", "性别", "出生日期", "联系电话", "现住社区", "居住地址"),
    "employer": ("员工姓名", "身份证号", "性别", "出生日期", "手机", "社区代码", "住址"),
    "clinic": ("姓名", "身份证号码", "性别", "出生日期", "手机号", "区划代码", "地址"),
}
CATEGORIES = (
    ("risk_area_arrival", "重点地区来返人员", "Arrivals from risk areas", 24, 1, 14),
    ("fever_patient", "药店诊所发热就诊人员", "Fever patients from pharmacies and clinics", 12, 1, 14),
    ("elderly_alone", "独居老人", "Elderly living alone", 72, 3, 28),
)


def _registry(limit: int) -> list[synthetic.PersonSpec]:
    """District A's residents as plain records, decrypted in memory for the generator (never written out)."""
    c = pii.cipher()
    out = []
    for p in Person.objects.filter(
        area__code__startswith=DISTRICT, merged_into__isnull=True, doc_type="resident_id"
    ).order_by("pk")[:limit]:
        out.append(
            synthetic.PersonSpec(
                name=c.decrypt(p.name_enc),
                doc_type=p.doc_type,
                doc_number=c.decrypt(p.doc_number_enc or b"") if p.doc_number_enc else "",
                sex=p.sex,
                birth_date=p.birth_date or dt.date(1980, 1, 1),
                phone=c.decrypt(p.phone_enc) if p.phone_enc else "",
                area_code=p.area_id,
                address="",
                nationality=p.nationality,
                household_ref="",
                relation="",
            )
        )
    return out


def run(ctx: DemoContext) -> dict[str, Any]:
    rng = ctx.rng(NAME)
    officer = User.objects.get(username="officer_a")
    worker = User.objects.filter(username="worker_a").first() or officer
    for code, zh, en, hours, urgency, days in CATEGORIES:
        KeyPersonCategory.objects.get_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "visit_within_hours": hours,
                "urgency": urgency,
                "follow_up_days": days,
            },
        )
    registry = _registry(max(60, min(ctx.persons // 4, 3000)))
    communities = [a for a in synthetic.community_codes() if a.startswith(DISTRICT)]
    plans = (
        ("rail", "铁路统筹站来返旅客", SourceKind.TRANSPORT, ListPurpose.ARRIVALS, VisitRule.UNMATCHED, None),
        (
            "employer",
            "统筹机械厂返岗员工",
            SourceKind.EMPLOYER,
            ListPurpose.RETURNING_WORKERS,
            VisitRule.EVERYONE,
            None,
        ),
        (
            "clinic",
            "药店诊所发热就诊人员",
            SourceKind.DEPARTMENT,
            ListPurpose.KEY_PERSONS,
            VisitRule.EVERYONE,
            "fever_patient",
        ),
    )
    summary: dict[str, Any] = {}
    for key, name, kind, purpose, rule, category_code in plans:
        source = ScreeningSource.objects.filter(
            area_id=DISTRICT, name=name
        ).first() or services.source_create(
            actor=officer,
            name=name,
            kind=kind,
            area_code=DISTRICT,
            mapping=dict(zip(COLUMNS, HEADERS[key], strict=True)),
        )
        lst = ScreeningList.objects.filter(source=source).first() or services.list_create(
            actor=officer,
            source=source,
            name=name,
            purpose=purpose,
            area_code=DISTRICT,
            visit_rule=rule,
            category=KeyPersonCategory.objects.filter(code=category_code).first(),
            since=ctx.calendar.outbreak_start,
        )
        size = {"rail": 120, "employer": 60, "clinic": 25}[key]
        rows = dirtylists.dirty_list(rng, registry, size, today=ctx.today, communities=communities)
        data = tabular.write_csv(HEADERS[key], [[r.values[c] for c in COLUMNS] for r in rows])
        report = services.list_import(actor=officer, lst=lst, data=data, filename=f"{key}.csv")
        summary[key] = {
            "rows": report.total_rows,
            "matched": report.matched_rows,
            "errors": report.error_rows,
        }
    _stages(officer, worker, rng)
    summary["open_items"] = WorkItem.objects.filter(status=WorkStatus.OPEN).count()
    summary["review"] = LinkCandidate.objects.filter(status=CandidateStatus.OPEN).count()
    return summary


def _stages(officer: User, worker: User, rng: Any) -> None:
    """Work items at every stage: some visited, one reassigned, some escalated; one candidate confirmed."""
    candidates = list(LinkCandidate.objects.filter(status=CandidateStatus.OPEN).order_by("pk")[:1])
    for cand in candidates:
        services.candidate_decide(actor=officer, candidate_id=cand.pk, same=True)
    open_items = list(
        WorkItem.objects.filter(
            status=WorkStatus.OPEN, reason__in=("unmatched", "list_rule"), area__code__startswith=DISTRICT
        ).order_by("pk")
    )
    outcomes = ["found", "found", "not_found", "moved_away", "refused"]
    for item, outcome in zip(open_items[: len(open_items) // 3], outcomes * 100, strict=False):
        services.visit_record(
            actor=officer,
            item_id=item.pk,
            outcome=outcome,
            health="normal",
            temperature=round(rng.uniform(36.0, 37.2), 1),
            moved_to="武汉市" if outcome == "moved_away" else "",
        )
    rest = [i for i in open_items[len(open_items) // 3 :] if i.level == 0]
    if rest:
        services.work_item_reassign(
            actor=officer, item_id=rest[0].pk, area_code=rest[0].area_id[:9] + "002", reason="住址在隔壁社区"
        )
    late = rest[1:4]
    WorkItem.objects.filter(pk__in=[i.pk for i in late]).update(
        due_at=timezone.now() - dt.timedelta(hours=30)
    )
    services.work_items_escalate()
