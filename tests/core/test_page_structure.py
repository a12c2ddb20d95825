"""Every screen names itself once: its h1, its tab title and the last item of its
breadcrumb say the same thing, and its headings never skip a level (h2 then h4),
which screen-reader users navigate by."""

from html.parser import HTMLParser

import pytest
from django.core.management import call_command

from accounts.models import User
from tests.screens import PRIMARY, REGION_AGENT, anonymous_screens, organisme_screens, region_screens
from tests.two_factor import log_in_verified

SUFFIX = " \N{EN DASH} SIGMA FP"


class _Outline(HTMLParser):
    """The page's title, its headings (level, text) and its breadcrumb's items."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.headings = []
        self.crumbs = []
        self._in = None
        self._crumb_depth = 0
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "visually-hidden" in (attributes.get("class") or "") and tag == "span":
            self._skip += 1
        if tag == "title" and not self.title:  # the document's, not an SVG's
            self._in = "title"
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._in = tag
            self.headings.append([int(tag[1]), ""])
        elif tag == "nav" and "breadcrumb" in (attributes.get("class") or "") and not self.crumbs:
            self._crumb_depth = 1
        elif tag == "li" and self._crumb_depth:
            self.crumbs.append("")

    def handle_endtag(self, tag):
        if tag == "span" and self._skip:
            self._skip -= 1
        if tag == self._in:
            self._in = None
        elif tag == "nav" and self._crumb_depth:
            self._crumb_depth = 0

    def handle_data(self, data):
        if self._skip:
            return
        if self._in == "title":
            self.title += data
        elif self._in and self._in.startswith("h"):
            self.headings[-1][1] += data
        if self._crumb_depth and self.crumbs:
            self.crumbs[-1] += data


def outline(html):
    parser = _Outline()
    parser.feed(html)
    squeeze = " ".join
    return (
        squeeze(parser.title.split()),
        [(level, squeeze(text.split())) for level, text in parser.headings],
        [squeeze(crumb.split()) for crumb in parser.crumbs],
    )


def problems_of(path, html, *, needs_breadcrumb):
    title, headings, crumbs = outline(html)
    found = []
    h1s = [text for level, text in headings if level == 1]
    if len(h1s) != 1:
        return [f"{path}: {len(h1s)} h1 ({h1s})"]
    name = h1s[0]
    if title != name + SUFFIX:
        found.append(f"{path}: <title> {title!r} is not h1 {name!r} + {SUFFIX!r}")
    if crumbs and crumbs[-1] != name:
        found.append(f"{path}: breadcrumb ends with {crumbs[-1]!r}, h1 is {name!r}")
    if needs_breadcrumb and not crumbs:
        found.append(f"{path}: no breadcrumb")
    previous = 0
    for level, text in headings:
        if level > previous + 1:
            found.append(f"{path}: h{level} {text!r} follows h{previous}")
        previous = level
    return found


def test_outline_finds_a_skipped_level_and_a_disagreeing_breadcrumb():
    html = (
        "<title>Comptes utilisateurs \N{EN DASH} SIGMA FP</title>"
        '<nav class="breadcrumb"><ol><li><a href="/">Accueil</a></li><li>Comptes d\u2019accès</li></ol></nav>'
        "<h1>Comptes utilisateurs</h1><h3>Perdu</h3>"
    )
    assert problems_of("/x/", html, needs_breadcrumb=True) == [
        "/x/: breadcrumb ends with 'Comptes d\u2019accès', h1 is 'Comptes utilisateurs'",
        "/x/: h3 'Perdu' follows h1",
    ]


@pytest.fixture
def demo(db):
    call_command("load_demo")


def log_in(client, identifiant):
    return log_in_verified(client, User.objects.get(identifiant=identifiant))


@pytest.mark.sweep
def test_every_screen_names_itself_once_and_never_skips_a_heading_level(client, demo, settings):
    found = []
    for _, path in anonymous_screens():
        found += problems_of(path, client.get(path).text, needs_breadcrumb=False)
    for identifiant, screens in ((PRIMARY, organisme_screens), (REGION_AGENT, region_screens)):
        client.logout()
        log_in(client, identifiant)
        for _, path in [*screens(), ("styleguide", "/dev/styleguide/")]:
            settings.DEBUG = path.startswith("/dev/")  # the style guide exists in development only
            response = client.get(path)
            assert response.status_code in (200, 403, 404), (path, response.status_code)
            found += problems_of(path, response.text, needs_breadcrumb=path != "/" and response.status_code == 200)
    assert not found, "\n".join(found)
