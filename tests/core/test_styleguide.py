"""/dev/styleguide/: every component of the design system, in development only."""


def test_the_style_guide_shows_every_component_in_development(client, db, settings):
    settings.DEBUG = True

    page = client.get("/dev/styleguide/").text

    for component in (
        'class="button"',
        'class="button secondary"',
        'class="button tertiary"',
        'class="badge attention"',
        'class="badge danger"',
        'class="message message-error"',
        'class="breadcrumb"',
        'class="sub-nav"',
        'class="filter-bar"',
        'table class="cards"',
        'class="pagination"',
        'class="empty-state"',
        'class="panel confirm"',
        'class="tiles"',
        'id="form-errors"',
    ):
        assert component in page, component
    assert "16\u202f800,00\u00a0€" in page


def test_the_style_guide_does_not_exist_in_production(client, db, settings):
    settings.DEBUG = False
    assert client.get("/dev/styleguide/").status_code == 404
