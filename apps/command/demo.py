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
    # The morning's briefing (疫情通报) of yesterday's figures, drafted, approved and published.
    from apps.command import briefing
    from apps.command.models import Briefing

    day = ctx.today - dt.timedelta(days=1)
    published = Briefing.objects.filter(day=day, status="published").exists()
    if not published and day <= briefing.cutoff_day():
        Briefing.objects.filter(day=day).delete()
        draft = briefing.briefing_draft(actor=commander, day=day)
        briefing.briefing_approve(actor=commander, briefing=draft, publish=True)
    return {"duty_days": 14, "tasks": len(made), "escalations": sum(escalated.values()), "briefing": day.isoformat()}
