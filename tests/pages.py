"""Read an HTML response as its user does: its text, its links and its table."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Page:
    text: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)

    def href(self, text):
        """The address of the first link whose text starts with `text`."""
        for link_text, href in self.links:
            if link_text.startswith(text):
                return href
        raise AssertionError(f"no link {text!r} on the page: {self.links}")

    def has_link(self, text):
        return any(link_text.startswith(text) for link_text, _ in self.links)

    def column(self, header):
        """The cells of the table column headed `header`, one per row."""
        index = self.headers.index(header)
        return [row[index] for row in self.rows]


def squeeze(text: str) -> str:
    """`text` with each run of whitespace made one space, or one no-break space
    when it holds one: French typography's spaces are kept, as a reader sees them."""
    return re.sub(r"\s+", lambda run: "\xa0" if "\xa0" in run.group() else " ", text).strip()


def _squeeze(chunks):
    return squeeze(" ".join(chunks))


class _PageParser(HTMLParser):
    SKIPPED = {"script", "style", "head"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.text = []
        self.skipping = 0
        self.link = None  # [href, chunks] while inside <a>
        self.tables_seen = 0
        self.in_thead = False
        self.row = None
        self.cell = None

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag == "a":
            self.link = [dict(attrs).get("href", ""), []]
        elif tag == "table":
            self.tables_seen += 1
        elif self.tables_seen == 1:
            if tag == "thead":
                self.in_thead = True
            elif tag == "tr":
                self.row = []
            elif tag in ("th", "td") and self.row is not None:
                self.cell = []

    def handle_endtag(self, tag):
        if tag in self.SKIPPED:
            self.skipping -= 1
        elif tag == "a" and self.link:
            self.page.links.append((_squeeze(self.link[1]), self.link[0]))
            self.link = None
        elif self.tables_seen == 1:
            if tag == "thead":
                self.in_thead = False
            elif tag in ("th", "td") and self.cell is not None:
                self.row.append(_squeeze(self.cell))
                self.cell = None
            elif tag == "tr" and self.row is not None:
                if self.in_thead:
                    self.page.headers = self.row
                else:
                    self.page.rows.append(self.row)
                self.row = None

    def handle_data(self, data):
        if self.skipping:
            return
        self.text.append(data)
        if self.link is not None:
            self.link[1].append(data)
        if self.cell is not None:
            self.cell.append(data)


def read_page(response):
    parser = _PageParser()
    parser.feed(response.content.decode())
    parser.close()
    parser.page.text = _squeeze(parser.text)
    return parser.page
