"""Demo step: a few thousand enterprises with a resumption curve up to the demo's today (larger and 四上 enterprises
first), reasons, officials and plans for the rest, a policy catalogue with deliveries, electricity readings
with a few disagreements, and hotline tickets — some answered late, some still open and escalated.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from apps.accounts.models import User
from apps.demo.generator import DemoContext
from apps.enterprises import hotline
from apps.enterprises.aggregates import aggregates_rebuild
from apps.enterprises.choices import (
    Reason,
    Status,
    StatusSource,
    TicketEventKind,
    TicketStatus,
    Uptake,
)
from apps.enterprises.models import (
    Commitment,
    Department,
    Enterprise,
    EnterpriseMember,
    EnterpriseReason,
    Policy,
    PolicyDelivery,
    PowerReading,
    ServicePlan,
    StatusChange,
    Ticket,
    TicketCategory,
    TicketEvent,
    Visit,
)
from apps.enterprises.services import _contact_columns, enterprise_attrs, guideline_measures, power_recheck
from core import creditcode, synthetic
from core import policies as policy_rules

NAME = "enterprises"
TZ = ZoneInfo("Asia/Shanghai")
INDUSTRIES = "CCCCCCFFFFEEHHGGIILLOOAKMPQR"
SIZES = (("micro", 45), ("small", 35), ("medium", 15), ("large", 5))
EMPLOYEES = {"micro": (3, 20), "small": (20, 100), "medium": (100, 500), "large": (500, 3000)}
WORDS = "华兴盛达鑫源恒通宏远金泰瑞丰永昌嘉和天成东方新隆"
TRADE = {
    "C": "机械制造",
    "F": "商贸",
    "E": "建设工程",
    "H": "餐饮",
    "G": "物流",
    "I": "软件",
    "L": "商务服务",
    "O": "家政服务",
    "A": "农业科技",
    "K": "置业",
    "M": "检测技术",
    "P": "教育咨询",
    "Q": "医疗器械",
    "R": "文化传媒",
}

POLICIES: list[dict[str, Any]] = [
    {
        "code": "SME-RENT",
        "title": "中小微企业房租减免",
        "category": "rent",
        "rule": {
            "all": [{"attr": "size_class", "in": ["small", "micro"]}, {"attr": "status", "ne": "fully"}]
        },
    },
    {
        "code": "SME-LOAN",
        "title": "疫情防控重点保障企业贷款贴息",
        "category": "finance",
        "rule": {"all": [{"attr": "reasons", "contains": "capital"}, {"attr": "employees", "gte": 10}]},
    },
    {
        "code": "TAX-DEFER",
        "title": "延期缴纳税款",
        "category": "tax",
        "rule": {
            "any": [
                {"attr": "reasons", "contains_any": ["capital", "orders"]},
                {"attr": "size_class", "eq": "micro"},
            ]
        },
    },
    {
        "code": "SI-REFUND",
        "title": "失业保险稳岗返还",
        "category": "social_insurance",
        "rule": {"all": [{"attr": "employees", "gte": 20}, {"not": {"attr": "status", "eq": "not"}}]},
    },
    {
        "code": "EMP-SUBSIDY",
        "title": "外地员工返岗交通补贴",
        "category": "employment",
        "rule": {
            "all": [
                {"attr": "reasons", "contains": "labour"},
                {"attr": "industry_section", "in": ["C", "E", "G"]},
            ]
        },
    },
    {
        "code": "SI-DEFER",
        "title": "社会保险费阶段性减免",
        "category": "social_insurance",
        "rule": {"attr": "size_class", "in": ["medium", "small", "micro"]},
    },
    {
        "code": "IND-ABOVE",
        "title": "规上工业企业满负荷生产奖励",
        "category": "finance",
        "rule": {
            "all": [{"attr": "above_designated_size", "eq": True}, {"attr": "industry_section", "eq": "C"}]
        },
    },
    {
        "code": "SUPPLY-PPE",
        "title": "防护物资统筹调配",
        "category": "other",
        "rule": {"attr": "reasons", "contains": "protective_supplies"},
    },
]
DEPARTMENTS = (
    ("tax", "税务局"),
    ("hr", "人社局"),
    ("finance", "金融办"),
    ("commerce", "商务局"),
    ("transport", "交通局"),
)
CATEGORIES = (
    ("tax", "税费政策", "tax", 24, True),
    ("labour", "用工招工", "hr", 16, True),
    ("loan", "融资贷款", "finance", 40, True),
    ("supply", "原料与防护物资", "commerce", 8, False),
    ("logistics", "物流通行证", "transport", 4, False),
)
TICKET_TEXTS = {
    "tax": "申请延期申报",
    "labour": "外地员工返岗困难",
    "loan": "贷款到期需续贷",
    "supply": "口罩和消毒液短缺",
    "logistics": "货车通行证办理",
}


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59)), TZ)


def run(ctx: DemoContext) -> dict[str, Any]:
    rng = ctx.rng(NAME)
    # The curve runs from when work starts to resume, ten days into the outbreak, up to the demo's today
    # (the one calendar of apps.demo.generator.DemoCalendar); timed events stop the day before.
    cal = ctx.calendar
    resume_from, until = cal.resumption_start, cal.today
    count = max(500, min(5000, ctx.persons // 6))
    communities = synthetic.community_codes()
    econ = User.objects.filter(username="econ").first()
    with transaction.atomic():
        summary = _enterprises(ctx, rng, count, communities, resume_from, until, econ)
        # One stream per part, so a re-run that creates no new enterprise still draws the same tickets etc.
        summary.update(_policies(ctx.rng(NAME + ":policies"), econ, cal.last_full_day))
        summary.update(_hotline(ctx.rng(NAME + ":hotline"), resume_from, cal.last_full_day))
        summary.update(_power(ctx.rng(NAME + ":power"), until))
        enterprise_user = User.objects.filter(username="enterprise").first()
        first = Enterprise.objects.filter(district="990101").order_by("id").first()
        if enterprise_user is not None and first is not None:
            EnterpriseMember.objects.get_or_create(user=enterprise_user, defaults={"enterprise": first})
    summary["escalated"] = hotline.tickets_escalate(now=dt.datetime.combine(cal.last_full_day, dt.time(18), TZ))
    return summary


def _enterprises(
    ctx: DemoContext,
    rng: random.Random,
    count: int,
    communities: list[str],
    resume_from: dt.date,
    until: dt.date,
    econ: User | None,
) -> dict[str, Any]:
    specs = []
    for i in ctx.bar(range(count), count, "enterprises"):
        area = rng.choice(communities)
        industry = rng.choice(INDUSTRIES)
        size = _weighted(rng, SIZES)
        employees = rng.randint(*EMPLOYEES[size])
        above = size in ("large", "medium") or (size == "small" and industry in "CDEF" and rng.random() < 0.4)
        name = "统筹市" + "".join(rng.sample(WORDS, 2)) + TRADE.get(industry, "实业") + "有限公司"
        sex = rng.choice("MF")
        contact = _contact_columns(synthetic.chinese_name(rng, sex), synthetic.phone(rng))
        # 开工复工 curve: big and 四上 enterprises first; district 990106 lags a week; 8% not by the demo's today.
        lag = (
            rng.gauss(24, 9)
            - (8 if above else 0)
            - (5 if size == "large" else 0)
            + (7 if area[:6] == "990106" else 0)
        )
        start = resume_from + dt.timedelta(days=max(2, int(lag)))
        never = rng.random() < 0.08
        full_after = rng.randint(4, 30) if rng.random() < 0.8 else None
        specs.append(
            {
                "credit_code": creditcode.generate(rng, area[:6]),
                "name": f"{name[:-4]}{i:04d}有限公司",
                "industry_section": industry,
                "area_id": area,
                "district": area[:6],
                "size_class": size,
                "above_designated": above,
                "employees": employees,
                "annual_revenue": round(employees * rng.uniform(8, 45), 2),
                **contact,
                "_start": None if never or start > until else start,
                "_full": full_after,
                "_share": round(rng.uniform(0.3, 0.85), 2),
            }
        )
    codes = [s["credit_code"] for s in specs]
    known = set(Enterprise.objects.filter(credit_code__in=codes).values_list("credit_code", flat=True))
    new = [s for s in specs if s["credit_code"] not in known]
    Enterprise.objects.bulk_create(
        [Enterprise(**{k: v for k, v in s.items() if not k.startswith("_")}) for s in new], batch_size=2000
    )
    ids = dict(
        Enterprise.objects.filter(credit_code__in=[s["credit_code"] for s in new]).values_list(
            "credit_code", "pk"
        )
    )
    changes, commitments, updates, reasons, plans, visits = [], [], [], [], [], []
    guideline = guideline_measures()
    measures = [m.code for m in guideline]
    mandatory = {m.code for m in guideline if m.mandatory}  # 复工导则: every mandatory measure is ticked
    for s in new:
        pk = ids[s["credit_code"]]
        status, staff, capacity, at = Status.NOT_RESUMED, 0.0, 0.0, None
        if s["_start"] is not None:
            at = _at(s["_start"], rng)
            staff = s["_share"]
            capacity = round(min(1.0, staff * rng.uniform(0.8, 1.1)), 2)
            changes.append(
                StatusChange(
                    enterprise_id=pk,
                    area_id=s["area_id"],
                    day=s["_start"],
                    at=at,
                    previous_status=Status.NOT_RESUMED,
                    status=Status.PARTLY,
                    staff_share_back=staff,
                    capacity_used=capacity,
                    delta_resumed=1,
                    delta_fully=0,
                    above_designated=s["above_designated"],
                    source=StatusSource.FILING,
                )
            )
            commitments.append(
                Commitment(
                    enterprise_id=pk,
                    filed_at=at,
                    planned_date=s["_start"],
                    declared_status=Status.PARTLY,
                    employees_returning=max(1, round(s["employees"] * staff)),
                    employees_from_outside=round(s["employees"] * staff * rng.uniform(0, 0.3)),
                    measures=sorted(set(rng.sample(measures, rng.randint(4, len(measures)))) | mandatory),
                    opened_at=at,
                    text="本企业承诺严格落实疫情防控主体责任，接受事后检查指导。",
                )
            )
            status = Status.PARTLY
            if s["_full"] is not None and s["_start"] + dt.timedelta(days=s["_full"]) <= until:
                day = s["_start"] + dt.timedelta(days=s["_full"])
                at = _at(day, rng)
                changes.append(
                    StatusChange(
                        enterprise_id=pk,
                        area_id=s["area_id"],
                        day=day,
                        at=at,
                        previous_status=Status.PARTLY,
                        status=Status.FULLY,
                        staff_share_back=1.0,
                        capacity_used=1.0,
                        delta_resumed=0,
                        delta_fully=1,
                        above_designated=s["above_designated"],
                        source=StatusSource.ENTERPRISE,
                    )
                )
                status, staff, capacity = Status.FULLY, 1.0, 1.0
        updates.append(
            Enterprise(
                pk=pk,
                status=status,
                staff_share_back=staff,
                capacity_used=capacity,
                status_at=at,
                liaison=econ if status != Status.FULLY and econ and rng.random() < 0.6 else None,
            )
        )
        if status != Status.FULLY:
            weights = {
                Reason.LABOUR: 5,
                Reason.ORDERS: 3,
                Reason.RAW_MATERIALS: 3,
                Reason.LOGISTICS: 3,
                Reason.CAPITAL: 2,
                Reason.PROTECTIVE_SUPPLIES: 2,
                Reason.OTHER: 1,
            }
            if status == Status.NOT_RESUMED:
                weights[Reason.CAPITAL] = 4
                weights[Reason.ORDERS] = 4
            chosen = set(rng.choices(list(weights), weights=list(weights.values()), k=rng.randint(1, 3)))
            reasons += [EnterpriseReason(enterprise_id=pk, reason=r) for r in chosen]
            if rng.random() < 0.4:
                plans.append(
                    ServicePlan(
                        enterprise_id=pk,
                        text="一企一策：协调"
                        + "、".join(str(Reason(r).label) for r in sorted(chosen))
                        + "问题，包联干部每周走访。",
                        updated_by=econ,
                    )
                )
            if rng.random() < 0.5:
                visits.append(
                    Visit(
                        enterprise_id=pk,
                        official=econ,
                        visited_on=until - dt.timedelta(days=rng.randint(0, 20)),
                        notes="走访了解复工困难，送政策上门。",
                    )
                )
    StatusChange.objects.bulk_create(changes, batch_size=5000)
    Commitment.objects.bulk_create(commitments, batch_size=5000)
    Enterprise.objects.bulk_update(
        updates, ["status", "staff_share_back", "capacity_used", "status_at", "liaison"], batch_size=2000
    )
    EnterpriseReason.objects.bulk_create(reasons, batch_size=5000, ignore_conflicts=True)
    ServicePlan.objects.bulk_create(plans, batch_size=5000, ignore_conflicts=True)
    Visit.objects.bulk_create(visits, batch_size=5000)
    aggregates_rebuild()  # the bulk inserts above bypass the write-time counters
    return {"enterprises": len(new), "status_changes": len(changes), "commitments": len(commitments)}


def _policies(rng: random.Random, econ: User | None, until: dt.date) -> dict[str, Any]:
    for p in POLICIES:
        Policy.objects.get_or_create(code=p["code"], defaults={**p, "issuer": "统筹市疫情防控指挥部"})
    catalogue = list(Policy.objects.filter(code__in=[p["code"] for p in POLICIES]))
    deliveries = []
    for e in Enterprise.objects.exclude(status=Status.FULLY).prefetch_related("reasons").order_by("id"):
        attrs = enterprise_attrs(e, [r.reason for r in e.reasons.all()])
        for p in catalogue:
            if rng.random() < 0.5 and policy_rules.match(p.rule, attrs)[0]:
                deliveries.append(
                    PolicyDelivery(
                        policy=p,
                        enterprise=e,
                        delivered_by=econ,
                        channel="上门",
                        uptake=rng.choice(Uptake.values),
                        delivered_at=_at(until - dt.timedelta(days=rng.randint(0, 25)), rng),
                    )
                )
    PolicyDelivery.objects.bulk_create(deliveries, batch_size=5000, ignore_conflicts=True)
    return {"policies": len(catalogue), "deliveries": len(deliveries)}


def _hotline(rng: random.Random, resume_from: dt.date, until: dt.date) -> dict[str, Any]:
    departments = {
        code: Department.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in DEPARTMENTS
    }
    categories = [
        TicketCategory.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "department": departments[dept],
                "sla_hours": hours,
                "working_time": working,
            },
        )[0]
        for code, name, dept, hours, working in CATEGORIES
    ]
    enterprises = list(Enterprise.objects.values_list("pk", "area_id").order_by("id"))
    total = max(100, len(enterprises) // 10)
    tickets, events = [], []
    for i in range(total):
        pk, area = rng.choice(enterprises)
        category = rng.choice(categories)
        opened = _at(resume_from + dt.timedelta(days=rng.randint(2, (until - resume_from).days)), rng)
        due = hotline.ticket_deadline(category, opened)
        roll = rng.random()
        ticket = Ticket(
            enterprise_id=pk,
            area_id=area,
            category=category,
            department=category.department,
            title=TICKET_TEXTS[category.code],
            description=TICKET_TEXTS[category.code] + "，请协调解决。",
            opened_at=opened,
            due_at=due,
            client_id=f"demo-{i}",
        )
        if roll > 0.06:  # answered: most on time, some late
            late = roll < 0.2
            hours = (due - opened).total_seconds() / 3600
            resolved = opened + dt.timedelta(
                hours=hours * (rng.uniform(1.1, 3) if late else rng.uniform(0.1, 0.9))
            )
            ticket.status, ticket.reply, ticket.resolved_at = (
                TicketStatus.REPLIED,
                "已协调相关部门办理。",
                resolved,
            )
            if rng.random() < 0.8:
                ticket.status, ticket.satisfaction = (
                    TicketStatus.CLOSED,
                    rng.choices([5, 4, 3, 2], [50, 30, 15, 5])[0],
                )
        tickets.append(ticket)
    # A ticket's key is its submitter's own, and demo tickets have none: skip the keys stored by an earlier run.
    known = set(Ticket.objects.filter(opened_by=None, client_id__startswith="demo-").values_list("client_id", flat=True))
    Ticket.objects.bulk_create([t for t in tickets if t.client_id not in known], batch_size=2000)
    stored = Ticket.objects.filter(client_id__in=[t.client_id for t in tickets], events__isnull=True)
    for t in stored.only("pk", "opened_at", "resolved_at", "reply"):
        events.append(TicketEvent(ticket_id=t.pk, at=t.opened_at, kind=TicketEventKind.OPENED))
        if t.resolved_at:
            events.append(
                TicketEvent(ticket_id=t.pk, at=t.resolved_at, kind=TicketEventKind.REPLIED, note=t.reply)
            )
    TicketEvent.objects.bulk_create(events, batch_size=5000)
    return {"tickets": len(tickets)}


def _power(rng: random.Random, until: dt.date) -> dict[str, Any]:
    # The last three whole dekads (上中下旬) before the demo's today: step back from the current one's start.
    dekads: list[dt.date] = []
    day = until.replace(day=21 if until.day >= 21 else 11 if until.day >= 11 else 1)
    while len(dekads) < 3:
        day -= dt.timedelta(days=1)
        if day.day in (1, 11, 21):
            dekads.insert(0, day)
    rows = list(
        Enterprise.objects.values_list("pk", "area_id", "status", "capacity_used", "employees").order_by("id")
    )
    readings = []
    for pk, area, status, capacity, employees in rows:
        if rng.random() > 0.3:
            continue
        base = employees * rng.uniform(80, 150)
        use = capacity if status != Status.NOT_RESUMED else rng.uniform(0.02, 0.15)
        if rng.random() < 0.04:  # the disagreements the cross-check should find
            use = rng.uniform(0.05, 0.2) if status != Status.NOT_RESUMED else rng.uniform(0.7, 1.0)
        for start in dekads:
            readings.append(
                PowerReading(
                    enterprise_id=pk,
                    area_id=area,
                    period="dekad",
                    period_start=start,
                    kwh=round(base * max(use * rng.uniform(0.9, 1.1), 0), 1),
                    kwh_last_year=round(base, 1),
                )
            )
    PowerReading.objects.bulk_create(readings, batch_size=5000, ignore_conflicts=True)
    flagged = power_recheck(enterprise_ids=sorted({r.enterprise_id for r in readings}))
    return {"power_readings": len(readings), "power_flags": flagged}
