"""Mes sessions in two browsers signed in as one account: one ends the
other, whose next page is the login page saying why."""

from tests.e2e.steps import log_in, message


def test_one_browser_ends_the_other_whose_next_page_is_the_login_page_with_the_reason(
    open_browser, secondary_account, password
):
    office, laptop = open_browser(), open_browser()
    log_in(office, secondary_account.identifiant, password)
    log_in(laptop, secondary_account.identifiant, password)

    office.goto("/mon-compte/modifications/")
    office.get_by_role("link", name="Voir mes sessions").click()
    sessions = office.get_by_role("table", name="Sessions ouvertes sur votre compte")
    assert sessions.get_by_role("row").count() == 3
    assert office.get_by_text("Session en cours").count() == 1
    office.get_by_role("button", name="Fermer cette session").click()
    assert message(office) == "La session Chrome sur Linux a été fermée."
    assert sessions.get_by_role("row").count() == 2

    laptop.goto("/actions/")

    assert laptop.url.endswith("/connexion/?next=/actions/")
    assert " ".join(message(laptop).split()) == (
        "Votre session a été fermée depuis « Mes sessions » ou par le gestionnaire de votre compte. "
        "Veuillez vous reconnecter."
    )
    office.reload()
    assert office.get_by_role("heading", name="Mes sessions").is_visible()
