"""Who may require the second factor of an organisme's accounts (Ma fiche
organisme): its primary account only, and only for its own organisme."""

from urllib.parse import urlsplit

import pytest

from audit.models import AuditEntry

REQUIREMENT = "/organisme/fiche/double-authentification/"


def test_the_primary_account_requires_it_for_its_own_organisme_only(
    client_of, primary_account, organisme, other_organisme
):
    client_of(primary_account).post(REQUIREMENT, {"required": "1"})

    organisme.refresh_from_db()
    other_organisme.refresh_from_db()
    assert organisme.two_factor_required
    assert not other_organisme.two_factor_required


@pytest.mark.parametrize("who", ["secondary_account", "region_agent", "other_primary_account"])
def test_no_one_else_changes_the_requirement(request, who, client_of, primary_account, organisme):
    browser = client_of(request.getfixturevalue(who))

    response = browser.post(REQUIREMENT, {"required": "1"})

    organisme.refresh_from_db()
    assert not organisme.two_factor_required
    if who == "other_primary_account":
        # Its own organisme, never this one.
        assert response.status_code == 302
    else:
        assert response.status_code == 403
    assert not AuditEntry.objects.filter(
        action=AuditEntry.Action.TWO_FACTOR_REQUIREMENT_CHANGED, organisme=organisme
    ).exists()


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, organisme):
    response = client.post(REQUIREMENT, {"required": "1"})

    organisme.refresh_from_db()
    assert urlsplit(response.url).path == "/connexion/"
    assert not organisme.two_factor_required


def test_it_is_changed_by_post_only(client_of, primary_account, organisme):
    response = client_of(primary_account).get(REQUIREMENT, {"required": "1"})

    organisme.refresh_from_db()
    assert response.status_code == 405
    assert not organisme.two_factor_required
