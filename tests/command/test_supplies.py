"""Supplies: idempotent stock movements, stock kept on write equal to a recount, burn rate and days of supply
against a hand computation, low-stock alerts in the inbox, jurisdiction by warehouse district."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from typing import Any

import pytest
from django.db.models import Sum
from django.utils import timezone

from apps.command import supplies
from apps.command.choices import MOVEMENT_SIGN
from apps.command.models import Notification, StockLevel, StockMovement, SupplyItem, Warehouse
from apps.common.errors import ValidationFailed
from tests.factories import DISTRICT_A

pytestmark = pytest.mark.django_db


@pytest.fixture
def kits(db: None) -> SupplyItem:
    return SupplyItem.objects.create(code="KIT", name="核酸检测试剂盒", category="test_kit", unit="盒")


@pytest.fixture
def store_a(city: Any) -> Warehouse:
    return Warehouse.objects.create(name="东湖区物资库", area_id=DISTRICT_A)


def move(client: Any, store: Warehouse, kind: str, quantity: int, client_id: str) -> Any:
    body = {
        "client_id": client_id,
        "warehouse_id": store.pk,
        "item_code": "KIT",
        "kind": kind,
        "quantity": quantity,
    }
    return client.post("/api/command/supplies/movements", body, content_type="application/json")


def test_a_retried_movement_is_stored_once_and_a_reused_id_with_another_payload_is_refused(
    kits: SupplyItem, store_a: Warehouse, officer_a: Any, api_of: Any
) -> None:
    client = api_of(officer_a)
    assert move(client, store_a, "receipt", 100, "m-1").status_code == 201
    assert move(client, store_a, "receipt", 100, "m-1").status_code == 200  # the retry
    assert move(client, store_a, "receipt", 90, "m-1").status_code == 409
    assert StockLevel.objects.get().quantity == 100 and StockMovement.objects.count() == 1


def test_an_officer_of_another_district_cannot_move_or_see_the_stock(
    kits: SupplyItem, store_a: Warehouse, officer_a: Any, officer_b: Any, api_of: Any
) -> None:
    move(api_of(officer_a), store_a, "receipt", 10, "m-a")
    assert move(api_of(officer_b), store_a, "receipt", 10, "m-b").status_code == 404
    assert api_of(officer_b).get("/api/command/supplies/stock").json() == []
    assert [r["quantity"] for r in api_of(officer_a).get("/api/command/supplies/stock").json()] == [10]


def test_an_issue_beyond_the_stock_is_refused(
    kits: SupplyItem, store_a: Warehouse, officer_a: Any, api_of: Any
) -> None:
    client = api_of(officer_a)
    move(client, store_a, "receipt", 5, "r")
    answer = move(client, store_a, "issue", 6, "i")
    assert answer.status_code == 422 and answer.json()["code"] == "insufficient_stock"


def test_the_stock_kept_on_write_equals_a_recount_of_the_movements(
    kits: SupplyItem, store_a: Warehouse, officer_a: Any
) -> None:
    rng = random.Random(5)
    for i in range(120):
        kind = rng.choice(["receipt", "donation", "transfer_in", "issue", "transfer_out"])
        with contextlib.suppress(
            ValidationFailed
        ):  # an issue beyond the stock is refused and changes nothing
            supplies.movement_record(
                actor=officer_a,
                data={
                    "client_id": f"c{i}",
                    "warehouse_id": store_a.pk,
                    "item_code": "KIT",
                    "kind": kind,
                    "quantity": rng.randint(1, 40),
                },
            )
    recount = sum(
        MOVEMENT_SIGN[k] * n
        for k, n in StockMovement.objects.values_list("kind")
        .annotate(n=Sum("quantity"))
        .values_list("kind", "n")
    )
    assert StockLevel.objects.get().quantity == recount >= 0


def test_burn_rate_and_days_of_supply(kits: SupplyItem, store_a: Warehouse, officer_a: Any) -> None:
    supplies.movement_record(
        actor=officer_a,
        data={
            "client_id": "r",
            "warehouse_id": store_a.pk,
            "item_code": "KIT",
            "kind": "receipt",
            "quantity": 1000,
        },
    )
    now = timezone.now()
    for i, n in enumerate([70, 35, 35]):
        movement, _ = supplies.movement_record(
            actor=officer_a,
            data={
                "client_id": f"i{i}",
                "warehouse_id": store_a.pk,
                "item_code": "KIT",
                "kind": "issue",
                "quantity": n,
            },
        )
        StockMovement.objects.filter(pk=movement.pk).update(at=now - dt.timedelta(days=i * 3))
    old, _ = supplies.movement_record(
        actor=officer_a,
        data={
            "client_id": "old",
            "warehouse_id": store_a.pk,
            "item_code": "KIT",
            "kind": "issue",
            "quantity": 60,
        },
    )
    StockMovement.objects.filter(pk=old.pk).update(at=now - dt.timedelta(days=8))  # outside the week
    level = StockLevel.objects.get()
    burn = supplies.burn_rates([level], now=now + dt.timedelta(seconds=1))[level.pk]
    assert burn == (70 + 35 + 35) / 7 == 20
    assert level.quantity == 800 and supplies.days_of_supply(level.quantity, burn) == 40
    assert supplies.days_of_supply(5, 0) is None


def test_falling_below_the_threshold_alerts_the_district_once_and_a_receipt_resolves_it(
    kits: SupplyItem, store_a: Warehouse, officer_a: Any, officer_b: Any, api_of: Any
) -> None:
    client = api_of(officer_a)
    move(client, store_a, "receipt", 100, "r1")
    supplies.threshold_set(actor=officer_a, level=StockLevel.objects.get(), threshold=50)
    move(client, store_a, "issue", 60, "i1")
    move(client, store_a, "issue", 10, "i2")
    notes = Notification.objects.filter(kind="command.low_stock")
    assert notes.count() == 1 and notes.get().resolved_at is None
    titles = [
        n["title"]
        for n in client.get("/api/command/notifications", HTTP_ACCEPT_LANGUAGE="en").json()["items"]
    ]
    assert "Low stock: 核酸检测试剂盒 at 东湖区物资库 (40 left)" in titles
    assert api_of(officer_b).get("/api/command/notifications", {"module": "command"}).json()["items"] == []
    assert [r["low"] for r in client.get("/api/command/supplies/stock", {"low": True}).json()] == [True]
    move(client, store_a, "receipt", 100, "r2")
    assert notes.get().resolved_at is not None
