"""Demo step: a headquarters day — the leaders' duty roster, supervised tasks open, overdue and escalated, one
closed after acceptance, one accountability decision, and the notifications they raised."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.command import tasks_service
from apps.command.models import AccountabilityRecord, DutyShift, Task, TaskEvent
from apps.demo.generator import DemoContext

NAME = "command"
CITY = "990100"
LEADERS = [
    ("李明", "王强"),
    ("张华", "陈静"),
    ("刘洋", "赵磊"),
    ("周敏", "吴斌"),
    ("孙伟", "郑丽"),
    ("何涛", "高洁"),
    ("罗军", "梁红"),
]
TASKS = [
    # (title, district, unit, priority, hours from now to the deadline, evidence required)
    ("扩充发热门诊接诊能力", "990101", "东湖区卫健委", "high", 30, "新增诊室和医护人员名单"),
    ("重点人员排查清零", "990102", "西山区疫情防控指挥部", "urgent", -30, "排查台账及核酸结果"),
    ("农贸市场消杀督查", "990103", "市场监管局", "normal", -6, "消杀记录和现场照片"),
    ("企业复工防疫物资保障", "990101", "经信局", "high", -50, "物资发放清单"),
    ("学校开学条件核验", "990104", "教育局", "normal", 72, "核验表"),
    ("隔离点房间扩容", "990105", "住建局", "urgent", 12, "房间清单"),
]


@transaction.atomic
def run(ctx: DemoContext) -> dict[str, Any]:
    commander = User.objects.get(username="commander")
    officer_a = User.objects.filter(username="officer_a").first()
    now = timezone.now()
    for offset in range(-3, 11):
        leader, deputy = LEADERS[(offset + 3) % len(LEADERS)]
        DutyShift.objects.update_or_create(
            day=ctx.today + dt.timedelta(days=offset),
            area_id=CITY,
            defaults={"leader": f"{leader}副市长", "deputy": f"{deputy}秘书长", "phone": "12345"},
        )
    Task.objects.filter(task_force="demo").delete()
    made = []
    for title, district, unit, priority, hours, evidence in TASKS:
        due = now + dt.timedelta(hours=hours)
        task = tasks_service.task_assign(
            actor=commander,
            data={
                "title": title,
                "area_code": district,
                "unit": unit,
                "assignee_id": officer_a.pk if officer_a and district == "990101" else None,
                "priority": priority,
                "due_at": now + dt.timedelta(hours=max(hours, 1)),
                "evidence_required": evidence,
                "task_force": "demo",
            },
            now=now,
        )
        if hours < 0:  # assigned earlier, now past its deadline
            Task.objects.filter(pk=task.pk).update(due_at=due, created_at=due - dt.timedelta(days=2))
            TaskEvent.objects.filter(task=task).update(at=due - dt.timedelta(days=2))
        made.append(task)
    escalated = tasks_service.tasks_escalate(now=now)
    # One done and accepted: the 学校 check was closed with its evidence.
    done = made[4]
    if officer_a is not None:
        tasks_service.task_progress(actor=commander, task=done, note="已完成12所学校核验")
    tasks_service.task_submit(actor=commander, task=done, evidence="核验表已上传（12所）")
    tasks_service.task_accept(actor=commander, task=done)
    if not AccountabilityRecord.objects.exists():
        tasks_service.accountability_record(
            actor=commander,
            data={
                "area_code": "990102",
                "what_happened": "重点人员排查超期30小时未完成",
                "responsible": "西山区疫情防控指挥部 某副主任",
                "decision": "talk",
                "task_id": made[1].pk,
            },
        )
    _supplies(ctx, commander, now)
    # The morning's briefing (疫情通报) of yesterday's figures, drafted, approved and published.
    from apps.command import briefing
    from apps.command.models import Briefing

    day = ctx.today - dt.timedelta(days=1)
    published = Briefing.objects.filter(day=day, status="published").exists()
    if not published and day <= briefing.cutoff_day():
        Briefing.objects.filter(day=day).delete()
        draft = briefing.briefing_draft(actor=commander, day=day)
        briefing.briefing_approve(actor=commander, briefing=draft, publish=True)
    return {
        "duty_days": 14,
        "tasks": len(made),
        "escalations": sum(escalated.values()),
        "briefing": day.isoformat(),
    }


ITEMS = [
    ("KIT", "核酸检测试剂盒", "test_kit", "盒"),
    ("REAGENT", "提取试剂", "reagent", "盒"),
    ("THERM", "红外测温仪", "instrument", "台"),
    ("MASK", "医用外科口罩", "mask", "只"),
    ("SUIT", "医用防护服", "suit", "套"),
    ("DISINF", "含氯消毒液", "disinfectant", "升"),
    ("ANTIVIRAL", "抗病毒药品", "antiviral", "盒"),
]


def _supplies(ctx: DemoContext, commander: User, now: dt.datetime) -> None:
    """A warehouse per district, a week of receipts and issues; test kits and suits run low in two districts."""
    from apps.command import supplies
    from apps.command.models import StockLevel, StockMovement, SupplyItem, Warehouse
    from apps.geo.models import Area

    rng = ctx.rng(NAME)
    for code, name, category, unit in ITEMS:
        SupplyItem.objects.update_or_create(
            code=code, defaults={"name": name, "category": category, "unit": unit}
        )
    for district in Area.objects.filter(level=3).order_by("code"):
        store, _ = Warehouse.objects.get_or_create(name=f"{district.name_zh}应急物资库", area=district)
        for code, *_rest in ITEMS:
            ref = f"demo:{store.pk}:{code}"
            if StockMovement.objects.filter(client_id=f"{ref}:r").exists():
                continue
            received = rng.randint(2000, 5000)
            supplies.movement_record(
                actor=commander,
                data={
                    "client_id": f"{ref}:r",
                    "warehouse_id": store.pk,
                    "item_code": code,
                    "kind": "receipt",
                    "quantity": received,
                },
            )
            low = code in ("KIT", "SUIT") and district.code in ("990101", "990103")
            daily = (received // 8) if low else rng.randint(received // 40, received // 15)
            for day in range(7):
                m, _ = supplies.movement_record(
                    actor=commander,
                    data={
                        "client_id": f"{ref}:i{day}",
                        "warehouse_id": store.pk,
                        "item_code": code,
                        "kind": "issue",
                        "quantity": daily,
                    },
                )
                StockMovement.objects.filter(pk=m.pk).update(at=now - dt.timedelta(days=day, hours=2))
            level = StockLevel.objects.get(warehouse=store, item__code=code)
            supplies.threshold_set(actor=commander, level=level, threshold=daily * 3)
