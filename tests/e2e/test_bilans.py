"""Bilans and questionnaires in the browser: a compte secondaire follows the
home page's sentences to the bilans waiting and validates them; two people
saving the same bilan; the complete periods validated in one step while a
colleague changes one of them."""

import datetime

import pytest
from django.utils import timezone

from tests.e2e.steps import log_in, message
from tests.factories import (
    ActionFormationFactory,
    DeclarationHeuresFactory,
    InscriptionFactory,
    PeriodeDeclarationFactory,
    StagiaireFactory,
)
from training.models import Bilan, DeclarationHeures, PeriodeDeclaration


@pytest.fixture
def bdc(organisme):
    return ActionFormationFactory(
        organisme=organisme,
        numero_bdc="BDC-2026-0042",
        intitule="Titre professionnel Secrétaire assistant",
        date_debut=datetime.date(2025, 1, 6),
        date_fin=datetime.date(2025, 6, 27),
    )


@pytest.fixture
def left(bdc):
    """Mme DUPONT Léa, who left the action 200 days ago: all five bilans are due."""
    return InscriptionFactory(
        action=bdc,
        stagiaire=StagiaireFactory(organisme=bdc.organisme, nom="DUPONT", prenom="Léa"),
        date_entree=bdc.date_debut,
        date_sortie=timezone.localdate() - datetime.timedelta(days=200),
    )


def test_a_compte_secondaire_validates_a_bilan_de_situation_and_a_questionnaire(
    open_browser, secondary_account, password, left
):
    page = open_browser()
    log_in(page, secondary_account.identifiant, password)

    page.get_by_role("link", name="1 bilan de situation à la sortie est en attente de validation.").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Bilans de situation à la sortie en attente"
    page.get_by_role("link", name="Saisir le bilan de DUPONT Léa").click()
    page.get_by_label("Situation du stagiaire").select_option(label="CDD de 6 mois et plus")
    page.get_by_label("Situation connue le").fill(
        (timezone.localdate() - datetime.timedelta(days=150)).strftime("%d/%m/%Y")
    )
    page.get_by_label("Commentaire").fill("Embauchée comme assistante de direction.")
    page.get_by_role("button", name="Valider le bilan").click()
    assert message(page) == "Bilan de situation à la sortie de DUPONT Léa : validé."

    page.get_by_role("link", name="Accueil").first.click()
    assert "Aucun bilan de situation à la sortie en attente de validation." in page.locator("main").inner_text()
    page.get_by_role("link", name="1 questionnaire de suivi est en attente de validation.").click()
    page.get_by_role("link", name="Saisir le questionnaire de DUPONT Léa").click()
    for question, answer in [
        ("La formation vous a-t-elle aidé dans votre projet professionnel", "Tout à fait"),
        ("Utilisez-vous les compétences acquises", "Plutôt oui"),
        ("Votre emploi ou votre formation actuels", "Tout à fait"),
    ]:
        page.get_by_role("group", name=question).get_by_label(answer).check()
    page.get_by_role("button", name="Valider le questionnaire").click()
    # One question left unanswered: the validation says so next to it, nothing is lost.
    assert (
        page.get_by_role("group", name="Recommanderiez-vous")
        .get_by_text("Choisissez une réponse pour valider le questionnaire.")
        .is_visible()
    )
    assert page.get_by_role("group", name="Utilisez-vous").get_by_label("Plutôt oui").is_checked()
    page.get_by_role("group", name="Recommanderiez-vous").get_by_label("Plutôt oui").check()
    page.get_by_role("button", name="Valider le questionnaire").click()
    assert message(page) == "Questionnaire de suivi de DUPONT Léa : validé."

    situation = Bilan.objects.get(kind="situation_sortie")
    assert (situation.situation, situation.is_validated) == ("cdd_6_mois_et_plus", True)
    questionnaire = Bilan.objects.get(kind="questionnaire_suivi")
    assert questionnaire.reponses == {"projet": "4", "competences": "3", "emploi_lien": "4", "recommandation": "3"}
    assert questionnaire.validated_by_name == secondary_account.full_name


def test_the_second_save_of_a_bilan_gets_the_conflict_view_and_the_first_is_kept(
    open_browser, primary_account, secondary_account, password, left
):
    colleague, principal = open_browser(), open_browser()
    log_in(colleague, secondary_account.identifiant, password)
    log_in(principal, primary_account.identifiant, password)
    url = f"/actions/{left.action.pk}/inscriptions/{left.pk}/bilans/situation_sortie/saisie/"
    colleague.goto(url)
    principal.goto(url)

    colleague.get_by_label("Situation du stagiaire").select_option(label="CDI")
    colleague.get_by_label("Commentaire").fill("Vu en entretien.")
    colleague.get_by_role("button", name="Enregistrer le brouillon").click()
    assert message(colleague) == "Bilan de situation à la sortie de DUPONT Léa : enregistré en brouillon."
    principal.get_by_label("Situation du stagiaire").select_option(label="intérim")
    principal.get_by_role("button", name="Enregistrer le brouillon").click()

    conflict = principal.get_by_role("alert").filter(has_text="Modification concurrente")
    assert "Vos saisies n’ont pas été enregistrées." in conflict.inner_text()
    both = principal.get_by_role("table", name="Valeurs enregistrées et vos saisies")
    assert both.get_by_role("row", name="Situation du stagiaire").inner_text().split("\t") == [
        "Situation du stagiaire",
        "CDI",
        "intérim",
    ]
    assert principal.get_by_label("Situation du stagiaire").input_value() == "interim"
    bilan = Bilan.objects.get()
    assert (bilan.situation, bilan.commentaire) == ("cdi", "Vu en entretien.")


def test_complete_periods_are_validated_in_one_step_but_not_the_one_a_colleague_changed(
    open_browser, primary_account, secondary_account, password, bdc, left
):
    periods = []
    for month in (1, 2, 3):
        periode = PeriodeDeclarationFactory(action=bdc, mois=datetime.date(2025, month, 1))
        DeclarationHeuresFactory(periode=periode, inscription=left, heures=70)
        periods.append(periode)
    validating, colleague = open_browser(), open_browser()
    log_in(validating, secondary_account.identifiant, password)
    log_in(colleague, primary_account.identifiant, password)

    validating.goto(f"/actions/{bdc.pk}/")
    validating.get_by_role("link", name="Valider les périodes complètes (3)").click()
    assert validating.locator(".period-list li").all_inner_texts() == ["01/2025", "02/2025", "03/2025"]
    colleague.goto(f"/actions/{bdc.pk}/periodes/{periods[1].pk}/")
    colleague.get_by_label("DUPONT Léa").fill("63,5")
    colleague.get_by_role("button", name="Enregistrer").click()
    validating.get_by_role("button", name="Valider ces 3 périodes").click()

    text = validating.locator("main").inner_text()
    assert "2 périodes ont été validées : 01/2025, 03/2025." in text
    assert "La période 02/2025 n’a pas été validée : elle a été modifiée par" in text
    assert DeclarationHeures.objects.get(periode=periods[1]).heures == 63.5
    assert not PeriodeDeclaration.objects.get(pk=periods[1].pk).is_validated
    assert PeriodeDeclaration.objects.filter(validated_at__isnull=False).count() == 2
