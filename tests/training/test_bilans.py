"""Bilans de situation, bilans de satisfaction and questionnaires de suivi:
from the home page's sentence to the list of exactly what it counts, the
form (draft, validation, read-only), the Région's reopening, and when each
bilan is due."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from tests.factories import BilanFactory, InscriptionFactory, StagiaireFactory
from training.bilans import latest_due_exit, months_earlier, pending_bilan
from training.models import Bilan, Inscription

KINDS = {
    "situation_sortie": ("bilan de situation à la sortie", "bilans de situation à la sortie sont"),
    "situation_3_mois": ("bilan de situation à 3 mois", "bilans de situation à 3 mois sont"),
    "situation_6_mois": ("bilan de situation à 6 mois", "bilans de situation à 6 mois sont"),
    "satisfaction": ("bilan de satisfaction", "bilans de satisfaction sont"),
    "questionnaire_suivi": ("questionnaire de suivi", "questionnaires de suivi sont"),
}

COMPLETE = {
    "situation_sortie": {"situation": "cdi", "date_situation": "02/03/2026"},
    "situation_3_mois": {"situation": "interim", "date_situation": "02/03/2026"},
    "situation_6_mois": {"situation": "en_formation", "date_situation": "02/03/2026"},
    "satisfaction": {"q_contenu": "4", "q_accompagnement": "3", "q_organisation": "2", "q_objectifs": "4"},
    "questionnaire_suivi": {"q_projet": "4", "q_competences": "3", "q_emploi_lien": "1", "q_recommandation": "4"},
}


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def exited(action, nom, days=200):
    return InscriptionFactory(
        action=action,
        stagiaire=StagiaireFactory(organisme=action.organisme, nom=nom, prenom="Alex"),
        date_sortie=days_ago(days),
    )


def bilan_url(inscription, kind):
    """The bilan's page, read-only."""
    return f"/actions/{inscription.action.pk}/inscriptions/{inscription.pk}/bilans/{kind}/"


def edit_url(inscription, kind):
    return f"{bilan_url(inscription, kind)}saisie/"


def validate(client, inscription, kind, version=0, **extra):
    return client.post(edit_url(inscription, kind), {"version": version, "valider": "1", **COMPLETE[kind], **extra})


AT_EXIT = {"situation_sortie", "satisfaction"}


@pytest.mark.parametrize("kind", KINDS)
def test_each_sentence_leads_to_exactly_what_it_counts_and_counts_down_once_one_is_validated(
    kind, client_of, page_of, secondary_account, action, other_action
):
    _, many = KINDS[kind]
    waiting = [exited(action, nom) for nom in ("ARNAUD", "BERNARD", "CHARLES")]
    BilanFactory(inscription=waiting[1], kind=kind)  # a draft is still pending
    recent = exited(action, "RECENT", days=1)  # due yesterday for the bilans at the exit only
    if kind in AT_EXIT:
        waiting.append(recent)
    BilanFactory(inscription=exited(action, "VALIDE"), kind=kind, validated=True)
    InscriptionFactory(action=action)  # still in training
    exited(other_action, "AUTREORG")
    client = client_of(secondary_account)
    n = len(waiting)

    home = page_of(client.get("/"))
    url = home.href(f"{n} {many} en attente de validation.")
    assert url == f"/actions/bilans/?type={kind}"

    listing = page_of(client.get(url))
    assert sorted(name.split()[0] for name in listing.column("Stagiaire")) == sorted(
        inscription.stagiaire.nom for inscription in waiting
    )
    assert sorted(listing.column("Statut")) == ["Brouillon"] + ["À saisir"] * (n - 1)
    line_actions = [href for text, href in listing.links if text.startswith(("Saisir", "Reprendre"))]
    assert sorted(line_actions) == sorted(edit_url(inscription, kind) for inscription in waiting)

    assert validate(client, waiting[1], kind, version=waiting[1].bilans.get().version).status_code == 302

    home = page_of(client.get("/"))
    assert home.href(f"{n - 1} ") == url
    assert len(page_of(client.get(url)).rows) == n - 1


def test_zero_is_not_a_link(client_of, page_of, secondary_account, action):
    inscription = exited(action, "VALIDE")
    for kind in KINDS:
        BilanFactory(inscription=inscription, kind=kind, validated=True)

    home = page_of(client_of(secondary_account).get("/"))

    assert "Aucun bilan de situation à la sortie en attente de validation." in home.text
    assert not home.has_link("Aucun bilan")
    assert not any(href.startswith("/actions/bilans/") for _, href in home.links)


@pytest.mark.parametrize(("kind", "months"), [("situation_3_mois", 3), ("situation_6_mois", 6)])
def test_a_later_bilan_is_due_only_once_its_months_have_passed_since_the_exit(kind, months, action):
    today = datetime.date(2027, 8, 31)
    on_time = InscriptionFactory(action=action, date_sortie=months_earlier(today, months))
    InscriptionFactory(action=action, date_sortie=months_earlier(today, months) + datetime.timedelta(days=1))

    assert list(Inscription.objects.filter(pending_bilan(kind, today))) == [on_time]
    assert latest_due_exit(kind, today) == {3: datetime.date(2027, 5, 31), 6: datetime.date(2027, 2, 28)}[months]


def test_a_draft_keeps_what_was_typed_and_validation_asks_for_what_is_missing(
    client_of, secondary_account, action, field_errors
):
    inscription = exited(action, "DUPONT")
    client = client_of(secondary_account)

    response = client.post(edit_url(inscription, "situation_sortie"), {"version": 0, "situation": "autre"})
    assert response.status_code == 302
    bilan = Bilan.objects.get(inscription=inscription, kind="situation_sortie")
    assert (bilan.situation, bilan.is_validated) == ("autre", False)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.BILAN_SAVED)
    assert entry.actor == secondary_account
    assert entry.changes["bilan"] == "Bilan de situation à la sortie"

    response = client.post(
        edit_url(inscription, "situation_sortie"), {"version": bilan.version, "situation": "autre", "valider": "1"}
    )

    assert response.status_code == 200
    assert field_errors(response, "situation_autre") == ["Précisez la situation « Autre » pour valider le bilan."]
    assert field_errors(response, "date_situation") == [
        "Indiquez la date à laquelle la situation était connue pour valider le bilan."
    ]
    assert 'value="autre" selected' in response.content.decode()
    bilan.refresh_from_db()
    assert not bilan.is_validated


def test_a_validated_bilan_is_read_only_for_the_organisme(client_of, secondary_account, action, page_of):
    inscription = exited(action, "DUPONT")
    client = client_of(secondary_account)
    assert validate(client, inscription, "questionnaire_suivi", commentaire="Ligne 1\nLigne 2").status_code == 302
    bilan = Bilan.objects.get(inscription=inscription, kind="questionnaire_suivi")
    assert bilan.reponses == {"projet": "4", "competences": "3", "emploi_lien": "1", "recommandation": "4"}
    assert bilan.commentaire == "Ligne 1\nLigne 2"
    assert bilan.validated_by_name == secondary_account.full_name
    assert AuditEntry.objects.filter(action=AuditEntry.Action.BILAN_VALIDATED).count() == 1

    page = page_of(client.get(bilan_url(inscription, "questionnaire_suivi")))
    assert "Validé le" in page.text
    assert "Tout à fait" in page.text
    assert "Rouvrir" not in page.text
    response = client.post(edit_url(inscription, "questionnaire_suivi"), {"version": bilan.version, "q_projet": "1"})
    assert response.status_code == 302
    bilan.refresh_from_db()
    assert bilan.reponses["projet"] == "4"


def test_the_region_reopens_a_validated_bilan_and_the_trail_says_so(client_of, secondary_account, region_agent, action):
    inscription = exited(action, "DUPONT")
    bilan = BilanFactory(inscription=inscription, kind="situation_sortie", validated=True)
    url = bilan_url(inscription, "situation_sortie")

    refused = client_of(secondary_account).post(f"{url}rouvrir/", {"version": bilan.version})
    assert refused.status_code == 403
    bilan.refresh_from_db()
    assert bilan.is_validated

    response = client_of(region_agent).post(f"{url}rouvrir/", {"version": bilan.version})

    assert response.status_code == 302
    bilan.refresh_from_db()
    assert not bilan.is_validated
    entry = AuditEntry.objects.get(action=AuditEntry.Action.BILAN_REOPENED)
    assert (entry.actor, entry.organisme) == (region_agent, action.organisme)
    # The organisme may fill it in again.
    organisme_client = client_of(secondary_account)
    assert validate(organisme_client, inscription, "situation_sortie", version=bilan.version).status_code == 302
    bilan.refresh_from_db()
    assert bilan.is_validated


def test_the_region_reads_a_bilan_but_does_not_fill_it(client_of, region_agent, action):
    inscription = exited(action, "DUPONT")
    client = client_of(region_agent)

    assert client.get(bilan_url(inscription, "situation_sortie")).status_code == 200
    assert validate(client, inscription, "situation_sortie").status_code == 403
    assert not Bilan.objects.exists()


def test_another_organismes_bilan_is_not_found(client_of, other_secondary_account, action):
    inscription = exited(action, "DUPONT")
    client = client_of(other_secondary_account)

    assert client.get(bilan_url(inscription, "situation_sortie")).status_code == 404
    assert validate(client, inscription, "situation_sortie").status_code == 404
    assert not Bilan.objects.exists()


def test_a_bilan_not_yet_due_cannot_be_entered(client_of, secondary_account, action, page_of):
    inscription = exited(action, "DUPONT", days=10)
    client = client_of(secondary_account)

    page = page_of(client.get(bilan_url(inscription, "situation_3_mois")))

    assert "Ce bilan sera à saisir à partir du" in page.text
    assert validate(client, inscription, "situation_3_mois").status_code == 302
    assert not Bilan.objects.exists()


def test_two_saves_of_the_same_bilan_the_second_gets_the_conflict_view(
    client_of, secondary_account, second_secondary_account, action
):
    inscription = exited(action, "DUPONT")
    url = edit_url(inscription, "situation_sortie")
    first = client_of(secondary_account)
    assert first.post(url, {"version": 0, "situation": "cdi", "commentaire": "Premier"}).status_code == 302

    # The second person's form was read before the first saved: version 0.
    second = client_of(second_secondary_account)
    response = second.post(url, {"version": 0, "situation": "interim", "commentaire": "Second"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Modification concurrente" in page
    assert "Enregistrer mes valeurs" in page
    bilan = Bilan.objects.get()
    assert (bilan.situation, bilan.commentaire) == ("cdi", "Premier")
    # One click re-applies the second person's values, now based on the stored version.
    assert f'name="version" value="{bilan.version}"' in page
