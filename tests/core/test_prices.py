"""Price alerts (保民生): a rise over the 7-day baseline, checked against a brute-force oracle."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.prices import PriceObservation, baseline, is_alert, price_alerts

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


def oracle(observations, threshold, window_days, min_days):
    series = {}
    for o in observations:
        series.setdefault((o.item, o.market), {})[o.day] = o.price
    out = []
    for o in observations:
        base = baseline(series[(o.item, o.market)], o.day, window_days, min_days)
        if is_alert(o.price, base, threshold):
            out.append((o.day, o.item, o.market, o.price, base))
    return sorted(out, key=lambda t: (t[0], t[1], t[2]))


@st.composite
def price_sets(draw):
    seen = set()
    data = []
    for item, market, day, cents in draw(
        st.lists(
            st.tuples(st.sampled_from("ab"), st.sampled_from("xy"), st.integers(0, 40), st.integers(1, 3000)),
            max_size=80,
        )
    ):
        if (item, market, day) not in seen:
            seen.add((item, market, day))
            data.append(obs(day, cents / 100, item, market))
    return data


@settings(max_examples=200, deadline=None)
@given(price_sets(), st.sampled_from([0.05, 0.1, 0.2, 0.5]), st.integers(1, 10), st.integers(1, 4))
def test_sliding_window_equals_the_brute_force_oracle(data, threshold, window, min_days):
    min_days = min(min_days, window)
    got = [
        (a.day, a.item, a.market, a.price, a.baseline)
        for a in price_alerts(data, threshold, window_days=window, min_days=min_days)
    ]
    assert got == oracle(data, threshold, window, min_days)
