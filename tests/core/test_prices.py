"""Price alerts (保民生): a rise over the 7-day baseline, checked against an independent exact oracle."""

import datetime as dt

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from core.prices import PriceObservation, baseline, is_alert, price_alerts
from tests.oracles import prices as oracle

D0 = dt.date(2020, 2, 1)


def obs(day: int, price: float, item: str = "pork", market: str = "m1") -> PriceObservation:
    return PriceObservation(item, market, D0 + dt.timedelta(days=day), price)


def test_it_alerts_on_a_spike_over_the_seven_day_mean():
    data = [obs(i, 20.0) for i in range(7)] + [obs(7, 25.0)]
    (alert,) = price_alerts(data, 0.2)
    assert alert.day == D0 + dt.timedelta(days=7)
    assert alert.baseline == 20.0 and alert.baseline_days == 7
    assert alert.rise == pytest.approx(0.25)
    assert "25%" in alert.reason_en


def test_a_rise_of_exactly_the_threshold_is_not_an_alert():
    data = [obs(i, 8.0) for i in range(7)] + [obs(7, 10.0)]
    assert price_alerts(data, 0.25) == []
    assert len(price_alerts(data, 0.2499)) == 1


def test_the_baseline_ignores_days_older_than_the_window():
    # A cheap week long ago must not make today's normal price look like a spike.
    data = [obs(0, 5.0), obs(1, 5.0), obs(2, 5.0)] + [obs(i, 20.0) for i in range(10, 14)] + [obs(14, 21.0)]
    assert price_alerts(data, 0.2) == []


def test_it_needs_enough_observed_days_to_judge():
    data = [obs(0, 10.0), obs(1, 10.0), obs(2, 30.0)]
    assert price_alerts(data, 0.2, min_days=3) == []
    assert len(price_alerts(data, 0.2, min_days=2)) == 1


def test_series_are_separate_per_item_and_market():
    data = [obs(i, 10.0, market="m1") for i in range(7)] + [obs(i, 20.0, market="m2") for i in range(7)]
    data += [obs(7, 15.0, market="m2")]  # cheaper than m2's own week; m1's baseline is irrelevant
    assert price_alerts(data, 0.2) == []


def test_it_rejects_duplicates_negative_prices_and_bad_thresholds():
    with pytest.raises(ValueError):
        price_alerts([obs(0, 1.0), obs(0, 2.0)], 0.2)
    with pytest.raises(ValueError):
        price_alerts([obs(0, -1.0)], 0.2)
    with pytest.raises(ValueError):
        price_alerts([], 0)
    with pytest.raises(ValueError):
        price_alerts([], 0.2, window_days=3, min_days=4)


def test_since_hides_old_alerts_but_keeps_their_prices_in_the_baseline():
    data = [obs(i, 10.0) for i in range(7)] + [obs(7, 20.0), obs(8, 10.0)]
    assert len(price_alerts(data, 0.2)) == 1
    assert price_alerts(data, 0.2, since=D0 + dt.timedelta(days=8)) == []


@st.composite
def price_sets(draw):
    seen = set()
    data = []
    # Half the cities use a few round prices only, so rises of exactly the threshold (10.0 over 8.0) occur.
    round_prices = st.sampled_from([0, 800, 1000, 1200])
    dense = draw(st.booleans())  # many prices on few days: full windows
    for item, market, day, cents in draw(
        st.lists(
            st.tuples(
                st.sampled_from("a" if dense else "ab"),
                st.sampled_from("x" if dense else "xy"),
                st.integers(0, 10 if dense else 40),
                draw(st.sampled_from([st.integers(0, 3000), round_prices])),
            ),
            min_size=5 if dense else 0,
            max_size=80,
        )
    ):
        if (item, market, day) not in seen:
            seen.add((item, market, day))
            data.append(obs(day, cents / 100, item, market))
    return data


@settings(max_examples=200, deadline=None)
@given(price_sets(), st.sampled_from([0.05, 0.1, 0.2, 0.25, 0.5]), st.integers(1, 10), st.integers(1, 4))
# Rises of exactly the threshold (generated cities rarely have them) and a zero baseline.
@example([obs(0, 8.0), obs(1, 8.0), obs(2, 10.0), obs(3, 0.0), obs(4, 12.5)], 0.25, 2, 1)
@example([obs(0, 10.0), obs(1, 10.0), obs(2, 12.0), obs(3, 12.0)], 0.2, 1, 1)
def test_sliding_window_equals_the_independent_oracle(data, threshold, window, min_days):
    min_days = min(min_days, window)
    got = [
        (a.day, a.item, a.market, a.price, a.baseline, a.baseline_days, a.rise)
        for a in price_alerts(data, threshold, window_days=window, min_days=min_days)
    ]
    expected = oracle.alerts([(o.item, o.market, o.day, o.price) for o in data], threshold, window, min_days)
    assert [g[:3] for g in got] == [e[:3] for e in expected]
    for (_, _, _, price, base, days, rise), (_, _, _, o_price, o_base, o_days) in zip(
        got, expected, strict=True
    ):
        assert (price, days) == (float(o_price), o_days)
        assert base == pytest.approx(float(o_base), rel=1e-12)
        assert rise == pytest.approx(float(o_price / o_base - 1), rel=1e-9)


@settings(max_examples=100, deadline=None)
@given(price_sets(), st.integers(1, 10), st.integers(1, 4))
def test_baseline_equals_the_independent_oracle(data, window, min_days):
    min_days = min(min_days, window)
    plain = [(o.item, o.market, o.day, o.price) for o in data]
    series = {}
    for o in data:
        series.setdefault((o.item, o.market), {})[o.day] = o.price
    for o in data:
        got = baseline(series[(o.item, o.market)], o.day, window, min_days)
        expected = oracle.baseline(plain, o.item, o.market, o.day, window, min_days)
        assert (got is None) == (expected is None)
        if expected is not None:
            assert got == pytest.approx(float(expected[0]), rel=1e-12)


def test_is_alert_needs_a_positive_baseline_and_a_rise_above_the_threshold():
    assert is_alert(10.0, 8.0, 0.2) and not is_alert(10.0, 8.0, 0.25) and is_alert(10.0, 8.0, 0.2499)
    assert not is_alert(10.0, None, 0.2)
    assert not is_alert(10.0, 0.0, 0.2)
    assert not is_alert(10.0, -1.0, 0.2)
