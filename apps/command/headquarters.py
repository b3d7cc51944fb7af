"""The command app's own figures: supervised tasks open and overdue (督办)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from apps.command.selectors import tasks_list
from apps.common.headquarters import Figure, count_by_prefix, url


def _task_figure(key: str, label: Any, order: int, **filters: Any) -> Figure:
    def qs(user: Any, area: str) -> Any:
        return tasks_list(user=user, area=area, **filters)

    api_filters = {k: ("true" if v is True else v) for k, v in filters.items()}
    page_filters = {k: ("1" if v is True else v) for k, v in filters.items()}
    return Figure(
        key=key,
        label=label,
        track="command",
        perm="task.view",
        order=order,
        count=lambda user, area: qs(user, area).count(),
        by_area=lambda user, area, digits: count_by_prefix(qs(user, area), "area_id", digits),
        link=lambda area: url("/command/tasks/", **page_filters, area=area),
        api=lambda area: url("/api/command/tasks", **api_filters, area=area),
    )


def _low_stock(user: Any, area: str) -> Any:
    from apps.command.supplies import stock_levels

    return stock_levels(user=user, area=area, low=True)


FIGURES = [
    _task_figure("command.tasks_open", _("Supervised tasks open"), 10, status="active"),
    _task_figure("command.tasks_overdue", _("Supervised tasks overdue"), 11, overdue=True),
    Figure(
        key="command.supplies_low",
        label=_("Supplies below their threshold"),
        track="command",
        perm="supply.view",
        order=20,
        count=lambda user, area: _low_stock(user, area).count(),
        by_area=lambda user, area, digits: count_by_prefix(
            _low_stock(user, area), "warehouse__area_id", digits
        ),
        link=lambda area: url("/command/supplies/", low="1", area=area),
    ),
]
