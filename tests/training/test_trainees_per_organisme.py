"""Each organisme has its own record of its trainees: nothing it types or is
told depends on another organisme's trainees (issue 14, F2; README,
« Un stagiaire par organisme »)."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import ActionFormationFactory, InscriptionFactory, StagiaireFactory
from training.models import Stagiaire

# Known to the other organisme, as another person than the one typed here.
KNOWN_ELSEWHERE = "2222222B"
UNKNOWN_ANYWHERE = "1111111A"


@pytest.fixture
def action(organisme):
    today = timezone.localdate()
    action = ActionFormationFactory(
        organisme=organisme,
        numero_bdc="BDC-2026-0001",
        date_debut=today - datetime.timedelta(days=30),
        date_fin=today + datetime.timedelta(days=90),
    )
    InscriptionFactory.create_batch(4, action=action, awaiting_entry=True)
    return action


@pytest.fixture
def theirs(other_organisme):
    """The other organisme's trainee: M. SECRET Paul, born 01/01/1970."""
    return InscriptionFactory(
        action=ActionFormationFactory(organisme=other_organisme),
        stagiaire=StagiaireFactory(
            organisme=other_organisme,
            nom="SECRET",
            prenom="Paul",
            date_naissance=datetime.date(1970, 1, 1),
            identifiant_france_travail=KNOWN_ELSEWHERE,
        ),
    ).stagiaire


def typed(identifiant, date_entree):
    return {
        "nom": "DUPONT",
        "prenom": "Hélène",
        "date_naissance": "14/03/1990",
        "identifiant_france_travail": identifiant,
        "date_entree": date_entree.strftime("%d/%m/%Y"),
        "date_sortie": "",
    }


def test_the_inscription_form_answers_the_same_whether_another_organisme_knows_the_identifiant(
    client_of, primary_account, action, theirs, field_errors
):
    browser = client_of(primary_account)
    first_seat, second_seat = action.inscriptions.all()[:2]

    def enter(seat, identifiant):
        response = browser.post(
            f"/actions/{action.pk}/inscriptions/{seat.pk}/",
            typed(identifiant, action.date_debut) | {"version": seat.version},
        )
        errors = field_errors(response, "identifiant_france_travail") if response.status_code == 200 else []
        return response.status_code, errors

    assert enter(second_seat, KNOWN_ELSEWHERE) == enter(first_seat, UNKNOWN_ANYWHERE) == (302, [])

    mine = Stagiaire.objects.get(organisme=action.organisme, identifiant_france_travail=KNOWN_ELSEWHERE)
    assert (mine.nom, mine.prenom, mine.date_naissance) == ("DUPONT", "Hélène", datetime.date(1990, 3, 14))
    theirs.refresh_from_db()
    assert (theirs.nom, theirs.prenom, theirs.date_naissance) == ("SECRET", "Paul", datetime.date(1970, 1, 1))


def test_the_import_answers_the_same_whether_another_organisme_knows_the_identifiant(
    client_of, primary_account, action, theirs, page_of, time_machine
):
    """The probe of the finding: lines naming identifiants, plus one bad line so
    that nothing is written. The report must not tell which exist elsewhere."""
    # The page shows the time of day: both reports are read in the same minute.
    time_machine.move_to(timezone.now(), tick=False)
    browser = client_of(primary_account)
    entree = action.date_debut.strftime("%d/%m/%Y")

    def report(identifiant):
        lines = [
            "numero_bdc;nom;prenom;date_naissance;identifiant_france_travail;date_entree;date_sortie",
            f"{action.numero_bdc};DUPONT;Hélène;14/03/1990;{identifiant};{entree};",
            f"{action.numero_bdc};MARTIN;Jean;02/11/1985;3333333C;pas une date;",
        ]
        raw = ("\r\n".join(lines) + "\r\n").encode()
        response = browser.post("/imports/", {"fichier": SimpleUploadedFile("import.csv", raw, "text/csv")})
        assert response.status_code == 200
        return page_of(response).text.replace(identifiant, "<IDENTIFIANT>")

    probe = report(KNOWN_ELSEWHERE)

    assert probe == report(UNKNOWN_ANYWHERE)
    assert "Ligne 3, colonne date_entree" in probe
    assert "Ligne 2" not in probe


def test_an_imported_trainee_is_the_organismes_own_record(client_of, primary_account, action, theirs):
    entree = action.date_debut.strftime("%d/%m/%Y")
    raw = (
        "numero_bdc;nom;prenom;date_naissance;identifiant_france_travail;date_entree;date_sortie\r\n"
        f"{action.numero_bdc};DUPONT;Hélène;14/03/1990;{KNOWN_ELSEWHERE.lower()};{entree};\r\n"
    ).encode()

    response = client_of(primary_account).post(
        "/imports/", {"fichier": SimpleUploadedFile("import.csv", raw, "text/csv")}
    )

    assert response.status_code == 302
    mine = action.inscriptions.get(stagiaire__isnull=False).stagiaire
    assert mine.organisme == action.organisme
    assert (mine.nom, mine.identifiant_france_travail) == ("DUPONT", KNOWN_ELSEWHERE)
    assert mine != theirs


def test_the_migration_gives_each_organisme_its_own_copy_of_a_shared_trainee(organisme, other_organisme):
    split_trainees = importlib.import_module("training.migrations.0003_trainees_per_organisme").split_trainees
    ours = InscriptionFactory(action=ActionFormationFactory(organisme=organisme))
    shared = ours.stagiaire
    their_inscription = InscriptionFactory(action=ActionFormationFactory(organisme=other_organisme), stagiaire=shared)
    orphan = StagiaireFactory(organisme=organisme)

    split_trainees(apps, None)

    ours.refresh_from_db()
    their_inscription.refresh_from_db()
    assert ours.stagiaire.organisme == organisme
    assert their_inscription.stagiaire.organisme == other_organisme
    assert their_inscription.stagiaire != ours.stagiaire
    for field in ("nom", "prenom", "date_naissance", "identifiant_france_travail"):
        assert getattr(their_inscription.stagiaire, field) == getattr(shared, field)
    assert not Stagiaire.objects.filter(pk=orphan.pk).exists()
