"""End-to-end tests: Debian's Chromium driven by Playwright against a live server.

Never a browser download: the tests use /usr/bin/chromium (`make test` installs
Debian's package when it is missing). A failing test leaves a screenshot and
the page's HTML in test-artifacts/.

Every page a test shows is checked with axe-core (AccessibilityAudit): a
serious or critical violation fails the test with the list of what is wrong
and where. The same pages are laid out again at 375 and 320 px (a phone): the
page must not scroll sideways and every link and button of a table must be on
screen. A console error (a Content Security Policy refusal included) or a
static file that fails to load, on any page, fails the test too.
"""

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import FrameLocator, Keyboard, Locator, Mouse, Page, sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE = Axe()
BLOCKING_IMPACTS = ("serious", "critical")
PHONE_WIDTHS = (375, 320)

# What a phone user could not reach: the page wider than the screen, or a
# table's link or button off screen (in a table that scrolls sideways).
OFF_SCREEN = r"""() => {
    const width = document.documentElement.clientWidth;
    const found = [];
    if (document.documentElement.scrollWidth > width) {
        found.push(`page ${document.documentElement.scrollWidth} px wide`);
    }
    for (const element of document.querySelectorAll("main table a, main table button")) {
        const box = element.getBoundingClientRect();
        if (box.width && (box.right > width + 0.5 || box.left < -0.5)) {
            found.push(`off screen in a table: ${element.textContent.replace(/\s+/g, " ").trim()}`);
        }
    }
    return found;
}"""


def off_screen(page):
    """What does not fit at each phone width on the document `page` shows."""
    size = page.viewport_size
    found = []
    for width in PHONE_WIDTHS:
        page.set_viewport_size({"width": width, "height": size["height"]})
        found += [f"{width} px: {problem}" for problem in page.evaluate(OFF_SCREEN)]
    page.set_viewport_size(size)
    return found


def is_static(url):
    path = urlsplit(url).path
    return path.startswith("/static/") or path == "/favicon.ico"


def accessibility_violations(page):
    """axe-core's serious and critical violations on what `page` shows, one readable line each."""
    found = AXE.run(page).response["violations"]
    return [
        f"{violation['id']} ({violation['impact']}) {violation['help']}: "
        + " | ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in found
        if violation["impact"] in BLOCKING_IMPACTS
    ]


class AccessibilityAudit:
    """Runs axe-core on each document shown in the watched browser windows.

    A test drives a window through `Watched` objects: before each of its calls,
    a document the window loaded since the last check is checked, once fully
    loaded, so every page is checked before the test acts on it or leaves it;
    the pages still open are checked when the test ends. Doing it between the
    test's own calls, not in Playwright event handlers, keeps each check from
    racing the test's next navigation."""

    def __init__(self):
        self.problems = []
        self.pages = []
        self._documents = {}
        self._checked = {}
        self._without_javascript = set()
        self._twin = None
        self._screens = set()

    def watch(self, page, javascript):
        self.pages.append(page)
        if not javascript:
            self._without_javascript.add(page)
        self._documents[page] = 0
        page.on("framenavigated", lambda frame: self._count_document(page, frame))
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.problems.append(f"{urlsplit(page.url).path}: script error: {error}"))
        page.on("response", lambda response: self._static_response(page, response))
        page.on("requestfailed", lambda request: self._static_failure(page, request))
        return Watched(page, lambda: self.check(page))

    def _console(self, page, message):
        # A refused page (403, 404) is logged as a failed load: that one is the test's own doing.
        location = message.location.get("url", "") if message.location else ""
        refused_page = message.text.startswith("Failed to load resource") and not is_static(location)
        if message.type == "error" and not refused_page:
            self.problems.append(f"{urlsplit(page.url).path}: console error: {message.text}")

    def _static_response(self, page, response):
        if is_static(response.url) and response.status >= 400:
            self.problems.append(f"{urlsplit(page.url).path}: {response.status} for {urlsplit(response.url).path}")

    def _static_failure(self, page, request):
        if is_static(request.url):
            self.problems.append(f"{urlsplit(page.url).path}: {urlsplit(request.url).path} failed: {request.failure}")

    def _count_document(self, page, frame):
        if frame == page.main_frame:
            self._documents[page] += 1

    def check(self, page, again=False):
        """Checks what `page` shows now, unless this document was already
        checked; `again` checks it whatever (after a change without navigation)."""
        document = self._documents[page]
        if page.is_closed() or page.url == "about:blank" or (self._checked.get(page) == document and not again):
            return
        self._checked[page] = document
        page.wait_for_load_state()
        # The same screen shown again (the login page after each wrong password,
        # the list after each action) differs only by text: check it once.
        html = page.content()
        screen = (urlsplit(page.url).path, re.sub(r'value="[^"]*"|\d+', "", html))
        if screen in self._screens and not again:
            return
        self._screens.add(screen)
        checked = self._twin_of(page, html) if page in self._without_javascript else page
        self.problems += [f"{urlsplit(page.url).path}: {violation}" for violation in accessibility_violations(checked)]
        self.problems += [f"{urlsplit(page.url).path}: {problem}" for problem in off_screen(checked)]

    def _twin_of(self, page, html):
        """The same document in a window that runs axe-core's timers, which a
        window without JavaScript never fires; the page's own scripts stay out."""
        if self._twin is None:
            self._twin = page.context.browser.new_context(locale="fr-FR").new_page()
            self._twin.route("**/*.js", lambda route: route.abort())
        url = page.url

        def serve(route):
            route.fulfill(body=html, content_type="text/html; charset=utf-8")

        def this_document(address):
            return address == url

        self._twin.route(this_document, serve)
        self._twin.goto(url)
        self._twin.unroute(this_document, serve)
        return self._twin

    def close(self):
        if self._twin is not None:
            self._twin.context.close()


class Watched:
    """A Playwright page, locator or keyboard whose every call is preceded by `before()`.

    What the calls return (locators, the keyboard...) is watched in turn, and
    watched objects passed as arguments are handed to Playwright unwrapped."""

    WRAPPED = (Page, Locator, FrameLocator, Keyboard, Mouse)

    def __init__(self, target, before):
        self.unwrapped = target
        self._before = before

    def _wrap(self, value):
        return Watched(value, self._before) if isinstance(value, self.WRAPPED) else value

    def __getattr__(self, name):
        value = getattr(self.unwrapped, name)
        if not callable(value):
            return self._wrap(value)

        def call(*args, **kwargs):
            self._before()
            args = [arg.unwrapped if isinstance(arg, Watched) else arg for arg in args]
            kwargs = {key: arg.unwrapped if isinstance(arg, Watched) else arg for key, arg in kwargs.items()}
            return self._wrap(value(*args, **kwargs))

        return call


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fails the test with every accessibility problem its pages showed."""
    outcome = yield
    audit = getattr(item, "accessibility_audit", None)
    if audit is not None:
        for page in audit.pages:
            audit.check(page)
        assert not audit.problems, "axe-core violations (serious or critical):\n" + "\n".join(audit.problems)
    return outcome


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
    assert Path(CHROMIUM).exists(), "Debian’s chromium is required: apt-get install chromium"
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
    several can be opened, as several people would. Every page they show is
    checked with axe-core; `open_browser.check_again(page)` checks a page
    changed without navigating (a dialog opened by JavaScript)."""
    settings.SIGMA_BASE_URL = live_server.url
    contexts = []
    audit = request.node.accessibility_audit = AccessibilityAudit()

    def open_(javascript=True):
        context = chromium.new_context(java_script_enabled=javascript, base_url=live_server.url, locale="fr-FR")
        contexts.append(context)
        return audit.watch(context.new_page(), javascript)

    open_.check_again = lambda page: audit.check(page.unwrapped, again=True)
    yield open_
    if getattr(request.node, "call_failed", False):
        ARTIFACTS.mkdir(exist_ok=True)
        for number, context in enumerate(contexts):
            for page in context.pages:
                stem = ARTIFACTS / f"{request.node.name}-{number}"
                page.screenshot(path=f"{stem}.png", full_page=True)
                Path(f"{stem}.html").write_text(page.content())
    audit.close()
    for context in contexts:
        context.close()
