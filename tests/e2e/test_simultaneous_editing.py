"""The guide's section 3, "la saisie simultanée": two people of the same
organisme open the same BDC and both save. The original platform kept only the
last save; sigma refuses the second one and loses nothing."""

import re

import pytest

from tests.e2e.steps import log_in, message
from tests.factories import ActionFormationFactory, InscriptionFactory, StagiaireFactory


@pytest.fixture
def bdc(organisme):
    action = ActionFormationFactory(
        organisme=organisme, numero_bdc="BDC-2026-0042", intitule="Titre professionnel Secrétaire assistant"
    )
    InscriptionFactory(
        action=action, stagiaire=StagiaireFactory(organisme=action.organisme, nom="DUPONT", prenom="Léa")
    )
    return action


def open_the_bdc(page, bdc):
    page.get_by_role("link", name="Actions de formation").click()
    page.get_by_role("link", name=bdc.numero_bdc).click()


@pytest.mark.parametrize("javascript", [True, False], ids=["avec-javascript", "sans-javascript"])
def test_the_second_save_on_the_same_bdc_is_refused_and_the_first_is_kept(
    open_browser, primary_account, secondary_account, password, bdc, javascript
):
    colleague, principal = open_browser(javascript=javascript), open_browser(javascript=javascript)
    log_in(colleague, secondary_account.identifiant, password)
    log_in(principal, primary_account.identifiant, password)
    open_the_bdc(colleague, bdc)
    open_the_bdc(principal, bdc)
    assert "Également consulté par PRENOM TEST COMPTE NOM TEST COMPTE" in principal.locator("main").inner_text()
    colleague.get_by_role("link", name="Corriger").click()
    principal.get_by_role("link", name="Corriger").click()

    colleague.get_by_label("Prénom").fill("Hugo")
    colleague.get_by_role("button", name="Enregistrer").click()
    assert message(colleague) == "L’inscription a bien été enregistrée."
    principal.get_by_label("Prénom").fill("Hugues")
    principal.get_by_label("Identifiant France Travail").fill("9999999Z")
    principal.get_by_role("button", name="Enregistrer").click()

    conflict = principal.get_by_role("alert").filter(has_text="Modification concurrente")
    assert re.search(
        r"Ces informations ont été modifiées par PRENOM TEST COMPTE NOM TEST COMPTE le \d\d/\d\d/\d{4} à \d\d:\d\d "
        r"pendant que vous les modifiiez\. Vos saisies n’ont pas été enregistrées\.",
        conflict.inner_text(),
    )
    both_versions = principal.get_by_role("table", name="Valeurs enregistrées et vos saisies")
    assert both_versions.get_by_role("row", name="Prénom Hugo Hugues").is_visible()
    assert principal.get_by_label("Prénom").input_value() == "Hugues"

    colleague.reload()
    assert colleague.get_by_role("cell", name="Hugo", exact=True).is_visible()
    assert colleague.get_by_role("cell", name="9999999Z").count() == 0
