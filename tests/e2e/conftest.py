"""End-to-end tests: Debian's Chromium driven by Playwright against a live server.

Never a browser download: the tests use /usr/bin/chromium (`make test` installs
Debian's package when it is missing). A failing test leaves a screenshot and
the page's HTML in test-artifacts/.
"""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.call_failed = report.failed
    return report


@pytest.fixture(scope="package")
def chromium():
    """One browser for the end-to-end tests, closed after them.

    Playwright's sync API keeps an event loop running in this thread, which makes
    Django refuse the tests' own (synchronous, safe) database calls unless told
    so; the permission lasts only as long as the browser does."""
    assert Path(CHROMIUM).exists(), "Debian's chromium is required: apt-get install chromium"
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def open_browser(request, chromium, live_server, settings):
    """`open_browser(javascript=True)`: a new browser window on the live server;
    several can be opened, as several people would."""
    settings.SIGMA_BASE_URL = live_server.url
    contexts = []

    def open_(javascript=True):
        context = chromium.new_context(java_script_enabled=javascript, base_url=live_server.url, locale="fr-FR")
        contexts.append(context)
        return context.new_page()

    yield open_
    if getattr(request.node, "call_failed", False):
        ARTIFACTS.mkdir(exist_ok=True)
        for number, context in enumerate(contexts):
            for page in context.pages:
                stem = ARTIFACTS / f"{request.node.name}-{number}"
                page.screenshot(path=f"{stem}.png", full_page=True)
                Path(f"{stem}.html").write_text(page.content())
    for context in contexts:
        context.close()
