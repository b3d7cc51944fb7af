"""Prices of daily necessities: a spike over the 7-day baseline alerts, per item threshold, in scope only."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from apps.prices import selectors, services
from apps.prices.models import Market, PriceItem, PriceRecord
from tests.factories import DISTRICT_A, DISTRICT_B

TODAY = timezone.localdate()


def day(n: int) -> str:
    return (TODAY - dt.timedelta(days=n)).isoformat()


@pytest.fixture
def setup(city):
    pork = PriceItem.objects.create(code="pork", name_zh="猪肉", unit="元/斤")
    eggs = PriceItem.objects.create(code="eggs", name_zh="鸡蛋", unit="元/斤")
    ma = Market.objects.create(code="ma", name="东湖农贸市场", area_id=DISTRICT_A + "001")
    mb = Market.objects.create(code="mb", name="西城农贸市场", area_id=DISTRICT_B + "001")
    return pork, eggs, ma, mb


@pytest.fixture
def econ_a(make_user):
    return make_user("economic_officer", DISTRICT_A, username="econ_a")


@pytest.fixture
def econ_b(make_user):
    return make_user("economic_officer", DISTRICT_B, username="econ_b")


@pytest.fixture
def hq(make_user):
    return make_user("economic_officer", "990100", username="econ_hq")


def week(market: str, item: str = "pork", price: str = "20.00", today: str | None = None):
    rows = [{"item": item, "market": market, "day": day(n), "price": price} for n in range(1, 8)]
    if today:
        rows.append({"item": item, "market": market, "day": day(0), "price": today})
    return rows


def post(client, rows):
    return client.post("/api/prices/", json.dumps(rows), content_type="application/json")


def test_a_spike_over_the_weekly_baseline_alerts_with_its_reason(setup, econ_a, api_of):
    client = api_of(econ_a)
    assert post(client, week("ma", today="25.00")).status_code == 201
    (alert,) = client.get("/api/prices/alerts").json()
    assert alert["item"] == "pork" and alert["market"] == "ma"
    assert alert["baseline"] == 20.0 and alert["rise"] == pytest.approx(0.25)
    assert "25%" in alert["reason_en"]


def test_a_rise_within_the_items_share_does_not_alert(setup, econ_a, api_of):
    client = api_of(econ_a)
    post(client, week("ma", today="23.00"))  # +15% under the default 20%
    assert client.get("/api/prices/alerts").json() == []


def test_the_headquarters_can_tighten_an_items_threshold(setup, econ_a, hq, api_of):
    post(api_of(econ_a), week("ma", today="23.00"))
    r = api_of(hq).put(
        "/api/prices/items/pork", json.dumps({"alert_share": "0.1"}), content_type="application/json"
    )
    assert r.status_code == 200
    assert len(api_of(econ_a).get("/api/prices/alerts").json()) == 1
    denied = api_of(econ_a).put(
        "/api/prices/items/pork", json.dumps({"alert_share": "0.5"}), content_type="application/json"
    )
    assert denied.status_code == 403


def test_resending_a_batch_corrects_instead_of_duplicating(setup, econ_a, api_of):
    client = api_of(econ_a)
    post(client, week("ma"))
    post(client, week("ma", price="21.00"))
    assert PriceRecord.objects.count() == 7
    assert {str(p) for p in PriceRecord.objects.values_list("price", flat=True)} == {"21.00"}


def test_a_batch_with_a_bad_row_records_nothing_and_names_the_row(setup, econ_a, api_of):
    rows = week("ma") + [{"item": "pork", "market": "ma", "day": day(0), "price": "-3"}]
    r = post(api_of(econ_a), rows)
    assert r.status_code == 422
    assert r.json()["details"][0]["row"] == 7
    assert PriceRecord.objects.count() == 0


def test_officers_record_and_see_only_their_own_markets(setup, econ_a, econ_b, hq, api_of):
    assert post(api_of(econ_a), week("mb")).status_code == 403
    post(api_of(econ_b), week("mb", today="30.00"))
    assert api_of(econ_a).get("/api/prices/alerts").json() == []
    assert len(api_of(econ_b).get("/api/prices/alerts").json()) == 1
    assert len(api_of(hq).get("/api/prices/alerts").json()) == 1
    assert api_of(econ_a).get("/api/prices/").json()["items"] == []
    assert [m["code"] for m in api_of(econ_a).get("/api/prices/markets").json()] == ["ma"]
    csv = api_of(econ_b).get("/api/prices/export").content.decode("utf-8-sig")
    assert "西城农贸市场" in csv


def test_alerts_take_a_bounded_number_of_queries(setup, econ_a, hq, django_assert_max_num_queries):
    services.prices_record(
        actor=econ_a, rows=week("ma", today="30.00") + week("ma", item="eggs", today="9.00")
    )
    with django_assert_max_num_queries(5):
        alerts = selectors.active_price_alerts(user=hq)
    assert {a.item.code for a in alerts} == {"pork"}


def test_pages_render_with_the_chart_and_the_alert(setup, econ_a, client_of):
    services.prices_record(actor=econ_a, rows=week("ma", today="30.00"))
    c = client_of(econ_a)
    page = c.get("/prices/").content.decode()
    assert "猪肉" in page and "50%" in page
    assert "echarts.min.js" in c.get("/prices/pork/").content.decode()
    r = c.post("/prices/record/", {"market": "ma", "day": day(0), "price_eggs": "6.50"})
    assert r.status_code == 302
    assert PriceRecord.objects.filter(item__code="eggs").count() == 1


def test_the_item_page_filters_one_market(setup, econ_b, hq, client_of):
    services.prices_record(actor=econ_b, rows=week("mb", today="30.00"))
    services.prices_record(actor=hq, rows=week("ma"))
    page = client_of(hq).get("/prices/pork/?market=mb&days=7").content.decode()
    assert "西城农贸市场" in page and "<td>东湖农贸市场</td>" not in page
    series = selectors.price_series(user=hq, item=PriceItem.objects.get(code="pork"), days=7, market="ma")
    assert [s["market"] for s in series["series"]] == ["ma"]


def test_an_absurd_price_is_refused_not_crashed(setup, econ_a, api_of):
    r = post(api_of(econ_a), [{"item": "pork", "market": "ma", "day": day(0), "price": "123456789"}])
    assert r.status_code == 422 and r.json()["code"] == "invalid_prices"
