"""A value the database refuses from a page form is a 400/409 page with the reason, never a server error."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DataError, IntegrityError
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from tongchou import urls as project_urls


def _refuses_a_long_value(request: HttpRequest) -> HttpResponse:
    raise DataError("value too long for type character varying(120)")


def _refuses_a_duplicate(request: HttpRequest) -> HttpResponse:
    raise IntegrityError("duplicate key value violates unique constraint")


def _fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a real bug")


urlpatterns = [
    path("refuse/long/", _refuses_a_long_value),
    path("refuse/duplicate/", _refuses_a_duplicate),
    path("refuse/bug/", _fails),
    path("", include(project_urls.urlpatterns)),
]


@pytest.fixture
def refusing_site(settings: Any) -> None:
    settings.ROOT_URLCONF = __name__


@pytest.mark.django_db
@pytest.mark.usefixtures("refusing_site")
@pytest.mark.parametrize(
    ("url", "status", "zh"),
    [
        ("/refuse/long/", 400, "有数值过大、过长或超出范围"),
        ("/refuse/duplicate/", 409, "此更改与已存数据或规则冲突"),
    ],
)
def test_a_refused_value_is_a_page_naming_the_problem_in_the_users_language(
    client_of: Any, officer_a: Any, url: str, status: int, zh: str
) -> None:
    response = client_of(officer_a).post(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == status
    assert zh in response.content.decode()


@pytest.mark.django_db
@pytest.mark.usefixtures("refusing_site")
def test_any_other_error_still_reaches_the_error_log(client_of: Any, officer_a: Any) -> None:
    client = client_of(officer_a)
    client.raise_request_exception = True
    with pytest.raises(RuntimeError, match="a real bug"):
        client.post("/refuse/bug/")
