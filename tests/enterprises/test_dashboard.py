"""The economic dashboard: our figures, the other recovery apps' sections when present, bounded queries."""

from __future__ import annotations

from apps.enterprises import dashboard, services


def test_dashboard_shows_rates_reasons_and_the_other_apps(econ_a, client_of, ent_a, make_user):
    services.reasons_set(actor=econ_a, enterprise=ent_a, reasons=["orders"])
    commander = make_user("commander", "990100", username="boss")
    page = client_of(commander).get("/enterprises/dashboard/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "甲区机械厂" in html and 'id="curve"' in html
    data = dashboard.dashboard_data(user=commander)
    assert data["total"]["active"] == 1 and data["reasons"][0]["reason"] == "orders"


def test_a_missing_or_failing_section_is_left_out_and_the_others_are_kept(econ_a, monkeypatch, caplog):
    def broken(*, user):
        raise RuntimeError("boom")

    def working(*, user):
        return {"seen_by": user.pk}

    import apps.enterprises.selectors as ours

    monkeypatch.setattr(ours, "broken_section", broken, raising=False)
    monkeypatch.setattr(ours, "working_section", working, raising=False)
    monkeypatch.setattr(
        dashboard,
        "OPTIONAL_SECTIONS",
        [
            ("gone", "apps.not_installed.selectors", "f"),
            ("broken", "apps.enterprises.selectors", "broken_section"),
            ("absent", "apps.enterprises.selectors", "no_such_section"),
            ("working", "apps.enterprises.selectors", "working_section"),
        ],
    )
    # A function that returned {} whatever happened would fail here: the working section must be there.
    assert dashboard.optional_sections(econ_a) == {"working": {"seen_by": econ_a.pk}}
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == [
        "dashboard section broken failed"
    ]


def test_dashboard_queries_do_not_grow_with_enterprises(
    econ_a, enterprise_factory, django_assert_max_num_queries
):
    for _ in range(5):
        enterprise_factory()
    with django_assert_max_num_queries(40) as few:
        dashboard.dashboard_data(user=econ_a)
    for _ in range(10):
        services.reasons_set(actor=econ_a, enterprise=enterprise_factory(), reasons=["labour"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        dashboard.dashboard_data(user=econ_a)
