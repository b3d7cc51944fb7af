"""Demo step: schools with readiness checklists and reopening dates, and disputes with protected parties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from apps.demo.generator import DemoContext
from apps.geo.choices import AreaLevel
from apps.geo.models import Area
from apps.people.pii import cipher
from apps.society.choices import DisputeKind, DisputeStatus, SchoolLevel
from apps.society.models import ChecklistItem, Dispute, School, SchoolCheck
from apps.society.services import checklist_ensure_defaults, party_hash
from core import synthetic
from core.masking import mask_name

NAME = "society"
SCHOOLS_PER_DISTRICT = 15
DISPUTES = 60
COMPANIES = ["建工", "物流", "食品", "电子", "纺织", "餐饮", "商贸", "机械"]
EVIDENCE = ["区教委批复文件", "现场核查照片", "演练记录", "物资台账", "专班名单", "消杀记录"]


@transaction.atomic
def run(ctx: DemoContext) -> dict[str, Any]:
    rng = ctx.rng(NAME)
    checklist_ensure_defaults()
    items = list(ChecklistItem.objects.filter(active=True))
    streets = list(Area.objects.filter(level=AreaLevel.STREET).values_list("code", "name_zh"))
    districts = sorted({c[:6] for c, _ in streets})
    existing = set(School.objects.filter(code__startswith="SCH").values_list("code", flat=True))
    schools, checks_for = [], []
    for d in districts:
        mine = [s for s in streets if s[0].startswith(d)]
        for n in range(1, SCHOOLS_PER_DISTRICT + 1):
            code = f"SCH{d}{n:02d}"
            street, sname = rng.choice(mine)
            level = rng.choice(SchoolLevel.values)
            word = {
                "kindergarten": "幼儿园",
                "primary": "小学",
                "middle": "中学",
                "high": "高级中学",
                "vocational": "职业技术学校",
            }[level]
            planned = ctx.today + dt.timedelta(days=rng.randint(-10, 20))
            ready = rng.random() < 0.45
            done_share = 1.0 if ready else rng.uniform(0.3, 0.95)
            reopened = ready and planned <= ctx.today
            if code in existing:
                continue
            schools.append(
                School(
                    code=code,
                    name=f"{sname[:2]}第{n}{word}",
                    area_id=street,
                    level=level,
                    students=rng.randint(200, 2500),
                    planned_reopen=planned,
                    actual_reopen=planned if reopened else None,
                    plan_note="按“一校一方案”组织开学复课",
                )
            )
            checks_for.append([i for i in items if ready or rng.random() < done_share])
    School.objects.bulk_create(schools)
    ids = dict(School.objects.filter(code__in=[s.code for s in schools]).values_list("code", "pk"))
    SchoolCheck.objects.bulk_create(
        [
            SchoolCheck(school_id=ids[s.code], item=i, done=True, evidence=rng.choice(EVIDENCE))
            for s, done in zip(schools, checks_for, strict=True)
            for i in done
        ],
        ignore_conflicts=True,
    )

    c = cipher()
    created = 0
    if not Dispute.objects.filter(ref__startswith="JFDEMO").exists():
        for n in range(1, DISPUTES + 1):
            street, sname = rng.choice(streets)
            kind = rng.choices(DisputeKind.values, weights=[30, 25, 40, 5])[0]
            person = synthetic.chinese_name(rng, rng.choice("MF"))
            company = f"统筹市{sname[:2]}{rng.choice(COMPANIES)}有限公司"
            claimant, respondent = (
                (person, company)
                if kind == DisputeKind.LABOUR
                else (company, f"统筹市{rng.choice(COMPANIES)}集团")
            )
            opened = ctx.today - dt.timedelta(days=rng.randint(1, 50))
            status = rng.choices(DisputeStatus.values, weights=[20, 25, 10, 45])[0]
            closed = None
            if status in (DisputeStatus.RESOLVED, DisputeStatus.REFERRED):
                closed = min(ctx.today, opened + dt.timedelta(days=rng.randint(2, 30)))
            Dispute.objects.create(
                ref=f"JFDEMO{n:04d}",
                area_id=street,
                kind=kind,
                summary={
                    "labour": "疫情期间停工，工资支付争议",
                    "contract": "受疫情影响无法按期交货",
                    "enterprise_debt": "货款逾期未付",
                    "other": "租金减免争议",
                }[kind],
                claimant_enc=c.encrypt(claimant),
                claimant_masked=mask_name(claimant),
                claimant_hash=party_hash(claimant),
                respondent_enc=c.encrypt(respondent),
                respondent_masked=mask_name(respondent),
                respondent_hash=party_hash(respondent),
                amount=Decimal(rng.randint(5, 500) * 1000),
                owner_name=f"{rng.choice('王李张刘陈')}调解员",
                status=status,
                opened_on=opened,
                closed_on=closed,
                resolution="经调解达成分期支付协议"
                if status == DisputeStatus.RESOLVED
                else ("已移交劳动仲裁委" if status == DisputeStatus.REFERRED else ""),
            )
            created += 1
    return {
        "schools": School.objects.count(),
        "disputes": Dispute.objects.count(),
        "disputes_created": created,
    }
