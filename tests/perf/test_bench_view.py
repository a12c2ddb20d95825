"""The bare view `make bench` measures as the framework's ceiling exists only
when SIGMA_BENCH_VIEW is set: production never serves it."""

import importlib

import pytest
from django.urls import clear_url_caches

import config.urls


@pytest.fixture
def urls_with(settings):
    """`urls_with(enabled)`: the URL configuration as built with the setting on or off."""

    def build(enabled):
        settings.SIGMA_BENCH_VIEW = enabled
        importlib.reload(config.urls)
        clear_url_caches()

    yield build
    settings.SIGMA_BENCH_VIEW = False
    importlib.reload(config.urls)
    clear_url_caches()


def test_the_bare_view_is_absent_by_default(settings, client_of, primary_account):
    assert settings.SIGMA_BENCH_VIEW is False
    assert client_of(primary_account).get("/bench/bare/").status_code == 404


def test_the_bare_view_answers_only_when_the_benchmark_enables_it(urls_with, client_of, primary_account):
    urls_with(True)

    response = client_of(primary_account).get("/bench/bare/")

    assert response.status_code == 200
    assert response.content == b"ok"
