import re
from types import SimpleNamespace

import pytest

from tests.pages import read_page


@pytest.fixture
def agent(client_of, region_agent):
    """The browser of a Region agent, Mme MARTIN Claire's colleague."""
    return client_of(region_agent)


@pytest.fixture
def section_of():
    """`section_of(response, id)`: the page's <section id="..."> as its user reads
    it (tests/pages.py), for pages holding more than one table."""

    def read_section(response, section_id):
        match = re.search(rf'<section[^>]*\bid="{section_id}"[^>]*>(.*?)</section>', response.content.decode(), re.S)
        assert match, f"no section {section_id!r} on the page"
        return read_page(SimpleNamespace(content=match.group(1).encode()))

    return read_section
