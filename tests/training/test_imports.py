import datetime
import random
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import (
    ActionFormationFactory,
    DeclarationHeuresFactory,
    InscriptionFactory,
    PeriodeDeclarationFactory,
    StagiaireFactory,
)
from training import imports
from training.models import DeclarationHeures, Inscription, PeriodeDeclaration, Stagiaire

URL = "/imports/"
INSCRIPTIONS_HEADER = "numero_bdc;nom;prenom;date_naissance;identifiant_france_travail;date_entree;date_sortie"
HEURES_HEADER = "numero_bdc;identifiant_france_travail;mois;heures"


def months_ago(count):
    month = timezone.localdate().replace(day=1)
    for _ in range(count):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return month


@pytest.fixture
def action(organisme):
    """An action begun three months ago, with three seats announced by the Region."""
    action = ActionFormationFactory(
        organisme=organisme,
        numero_bdc="BDC-2026-0001",
        date_debut=months_ago(3),
        date_fin=timezone.localdate() + datetime.timedelta(days=90),
        places=3,
    )
    InscriptionFactory.create_batch(3, action=action, awaiting_entry=True, updated_by_name="MARTIN Claire")
    return action


@pytest.fixture
def upload(client_of, primary_account):
    """`upload(text_or_bytes, account=primary_account)`: posts the file on the Imports page."""

    def post(content, account=primary_account, encoding="utf-8"):
        raw = content if isinstance(content, bytes) else content.encode(encoding)
        return client_of(account).post(URL, {"fichier": SimpleUploadedFile("import.csv", raw, "text/csv")})

    return post


def follow(response):
    assert response.status_code == 302, response.content.decode()
    return response.client.get(response.url)


def report_of(response, page_of):
    assert response.status_code == 200
    return page_of(response).text


def entry_date(action):
    return action.date_debut.strftime("%d/%m/%Y")


def inscriptions_file(action, *lines):
    return "\r\n".join([INSCRIPTIONS_HEADER, *lines]) + "\r\n"


def hours_file(*lines):
    return "\n".join([HEURES_HEADER, *lines]) + "\n"


def trainee_line(action, identifiant="1234567A", nom="DUPONT", prenom="Hélène", entree=None, sortie=""):
    return f"{action.numero_bdc};{nom};{prenom};14/03/1990;{identifiant};{entree or entry_date(action)};{sortie}"


def test_primary_account_imports_inscriptions_into_seats_awaiting_entry(upload, action, primary_account, page_of):
    response = upload(inscriptions_file(action, trainee_line(action), trainee_line(action, "7654321B", "MARTIN")))

    assert response.status_code == 302
    assert "2 lignes créées, 0 modifiée, 0 inchangée" in page_of(follow(response)).text
    filled = Inscription.objects.filter(action=action, stagiaire__isnull=False).order_by("stagiaire__nom")
    assert [(i.stagiaire.nom, i.stagiaire.prenom) for i in filled] == [("DUPONT", "Hélène"), ("MARTIN", "Hélène")]
    assert all(i.version == 2 and i.updated_by == primary_account for i in filled)
    assert action.inscriptions.filter(stagiaire__isnull=True).count() == 1


def test_reimporting_the_same_file_changes_nothing(upload, action, page_of):
    content = inscriptions_file(action, trainee_line(action), trainee_line(action, "7654321B", "MARTIN"))
    upload(content)
    before = list(Inscription.objects.order_by("pk").values())

    response = upload(content)

    assert "0 ligne créée, 0 modifiée, 2 inchangées" in page_of(follow(response)).text
    assert list(Inscription.objects.order_by("pk").values()) == before
    assert Stagiaire.objects.count() == 2


def test_secondary_account_imports_a_windows_1252_file(upload, action, secondary_account):
    response = upload(inscriptions_file(action, trainee_line(action)), account=secondary_account, encoding="cp1252")

    assert response.status_code == 302
    assert Stagiaire.objects.get().prenom == "Hélène"


def test_utf8_file_with_a_bom_and_crlf_is_read(upload, action):
    response = upload("\ufeff" + inscriptions_file(action, trainee_line(action)))

    assert response.status_code == 302
    assert Stagiaire.objects.get().identifiant_france_travail == "1234567A"


def test_formula_looking_cells_are_stored_as_plain_text(upload, action):
    response = upload(inscriptions_file(action, trainee_line(action, nom="=1+1", prenom="@SUM(A1)")))

    assert response.status_code == 302
    assert (Stagiaire.objects.get().nom, Stagiaire.objects.get().prenom) == ("=1+1", "@SUM(A1)")


def test_identifiants_france_travail_are_checked_and_written_as_the_form_does(upload, action, page_of):
    markup = trainee_line(action, identifiant="<b>1234567A</b>")
    typed_loosely = trainee_line(action, identifiant="765 4321b", nom="MARTIN")

    text = report_of(upload(inscriptions_file(action, markup, typed_loosely)), page_of)

    assert (
        "Ligne 2, colonne identifiant_france_travail : "
        "L’identifiant France Travail ne contient que des lettres et des chiffres." in text
    )
    assert "Ligne 3" not in text
    assert not Stagiaire.objects.exists()

    response = upload(inscriptions_file(action, typed_loosely))

    assert response.status_code == 302
    assert Stagiaire.objects.get().identifiant_france_travail == "7654321B"


def test_hours_name_identifiants_france_travail_as_the_form_writes_them(upload, action, page_of):
    InscriptionFactory(
        action=action, stagiaire=StagiaireFactory(organisme=action.organisme, identifiant_france_travail="1234567A")
    )
    month = months_ago(1).strftime("%m/%Y")

    text = report_of(upload(hours_file(f"{action.numero_bdc};1234567A\u202e;{month};10")), page_of)
    assert (
        "Ligne 2, colonne identifiant_france_travail : la valeur contient un caractère invisible ou de contrôle "
        "(U+202E) : retirez-le." in text
    )

    response = upload(hours_file(f"{action.numero_bdc};1234 567a;{month};10"))

    assert response.status_code == 302
    assert DeclarationHeures.objects.get().heures == 10


def test_a_closed_action_takes_no_import(upload, organisme, page_of):
    closed = ActionFormationFactory(organisme=organisme, numero_bdc="BDC-FERME", closed=True)
    InscriptionFactory(action=closed, awaiting_entry=True)

    text = report_of(upload(inscriptions_file(closed, trainee_line(closed))), page_of)

    assert "Ligne 2, colonne numero_bdc : le BDC « BDC-FERME » est fermé." in text


def test_date_de_sortie_is_filled_in_later(upload, action):
    upload(inscriptions_file(action, trainee_line(action)))
    exit_date = timezone.localdate().strftime("%d/%m/%Y")

    response = upload(inscriptions_file(action, trainee_line(action, sortie=exit_date)))

    assert "0 ligne créée, 1 modifiée, 0 inchangée" in follow(response).content.decode()
    inscription = Inscription.objects.get(stagiaire__identifiant_france_travail="1234567A")
    assert inscription.date_sortie == timezone.localdate()
    assert inscription.version == 3


def test_nothing_is_written_unless_every_line_is_valid(upload, action, page_of):
    response = upload(
        inscriptions_file(
            action,
            trainee_line(action),
            f"{action.numero_bdc};MARTIN;Jean;31/02/1990;7654321B;{entry_date(action)};",
            f"{action.numero_bdc};;Paul;01/01/1990;1111111C;32/13/2026;",
            trainee_line(action),
        )
    )

    text = report_of(response, page_of)
    assert "Aucune ligne n’a été enregistrée" in text
    assert "Ligne 3, colonne date_naissance : « 31/02/1990 » n’est pas une date valide (JJ/MM/AAAA)." in text
    assert "Ligne 4, colonne nom : valeur obligatoire." in text
    assert "Ligne 4, colonne date_entree : « 32/13/2026 » n’est pas une date valide (JJ/MM/AAAA)." in text
    assert "Ligne 5 : doublon de la ligne 2" in text
    assert not Stagiaire.objects.exists()
    assert not action.inscriptions.filter(stagiaire__isnull=False).exists()


def test_no_inscription_beyond_the_seats_awaiting_entry(upload, action, page_of):
    lines = [trainee_line(action, f"{n:07d}X") for n in range(4)]

    text = report_of(upload(inscriptions_file(action, *lines)), page_of)

    assert "Ligne 5, colonne numero_bdc : plus aucune place en attente de saisie sur le BDC « BDC-2026-0001 »." in text
    assert not Stagiaire.objects.exists()


def test_another_organismes_bdc_is_unknown(upload, action, other_organisme, page_of):
    theirs = ActionFormationFactory(organisme=other_organisme, numero_bdc="BDC-AUTRE-1")
    InscriptionFactory(action=theirs, awaiting_entry=True)

    text = report_of(upload(inscriptions_file(action, trainee_line(theirs), trainee_line(action))), page_of)

    assert "Ligne 2, colonne numero_bdc : BDC « BDC-AUTRE-1 » inconnu." in text
    assert "FORMATIONS DU MIDI" not in text
    assert not theirs.inscriptions.filter(stagiaire__isnull=False).exists()


def test_a_changed_date_someone_saved_is_a_conflict_naming_them(upload, action, page_of):
    stagiaire = StagiaireFactory(
        organisme=action.organisme, identifiant_france_travail="1234567A", nom="DUPONT", prenom="Hélène"
    )
    stagiaire.date_naissance = datetime.date(1990, 3, 14)
    stagiaire.save()
    saved_at = datetime.datetime(2026, 1, 5, 10, 30, tzinfo=timezone.get_current_timezone())
    InscriptionFactory(
        action=action,
        stagiaire=stagiaire,
        date_entree=action.date_debut,
        updated_by_name="GU Be",
        updated_at=saved_at,
    )
    later = (action.date_debut + datetime.timedelta(days=1)).strftime("%d/%m/%Y")

    text = report_of(upload(inscriptions_file(action, trainee_line(action, entree=later))), page_of)

    assert (
        f"Ligne 2, colonne date_entree : « {later} » diffère de la valeur « {entry_date(action)} » "
        "enregistrée par GU Be le 05/01/2026 à 10:30" in text
    )
    assert Inscription.objects.get(stagiaire=stagiaire).date_entree == action.date_debut


def test_a_trainee_id_known_with_another_identity_is_refused(upload, action, page_of):
    StagiaireFactory(organisme=action.organisme, identifiant_france_travail="1234567A", nom="AUTRE")

    text = report_of(upload(inscriptions_file(action, trainee_line(action))), page_of)

    assert "Ligne 2, colonne identifiant_france_travail : cet identifiant est déjà enregistré" in text


def test_hours_are_imported_into_a_new_declaration_period(upload, action, primary_account, page_of):
    InscriptionFactory(
        action=action, stagiaire=StagiaireFactory(organisme=action.organisme, identifiant_france_travail="1234567A")
    )
    InscriptionFactory(
        action=action, stagiaire=StagiaireFactory(organisme=action.organisme, identifiant_france_travail="7654321B")
    )
    month = months_ago(1)

    response = upload(
        hours_file(f"BDC-2026-0001;1234567A;{month:%m/%Y};120,5", f"BDC-2026-0001;7654321B;{month:%m/%Y};98.0")
    )

    assert response.status_code == 302
    period = PeriodeDeclaration.objects.get(action=action, mois=month)
    assert period.updated_by == primary_account
    assert sorted(period.declarations.values_list("heures", flat=True)) == [Decimal("98.0"), Decimal("120.5")]

    again = upload(
        hours_file(f"BDC-2026-0001;1234567A;{month:%m/%Y};120.5", f"BDC-2026-0001;7654321B;{month:%m/%Y};98")
    )

    assert "0 ligne créée, 0 modifiée, 2 inchangées" in page_of(follow(again)).text
    assert DeclarationHeures.objects.count() == 2


def test_hours_added_to_an_existing_period_bump_its_version(upload, action):
    period = PeriodeDeclarationFactory(action=action, mois=months_ago(1))
    InscriptionFactory(
        action=action, stagiaire=StagiaireFactory(organisme=action.organisme, identifiant_france_travail="1234567A")
    )

    response = upload(hours_file(f"BDC-2026-0001;1234567A;{period.mois:%m/%Y};35"))

    assert response.status_code == 302
    period.refresh_from_db()
    assert period.version == 2
    assert period.declarations.get().heures == 35


def test_hours_lines_are_all_checked(upload, action, page_of):
    validated = PeriodeDeclarationFactory(action=action, mois=months_ago(2), validated=True)
    InscriptionFactory(
        action=action, stagiaire=StagiaireFactory(organisme=action.organisme, identifiant_france_travail="1234567A")
    )
    month = f"{months_ago(1):%m/%Y}"

    text = report_of(
        upload(
            hours_file(
                f"BDC-2026-0001;1234567A;{month};-3",
                f"BDC-2026-0001;1234567A;{month};douze",
                f"BDC-2026-0001;1234567A;{validated.mois:%m/%Y};10",
                f"BDC-2026-0001;9999999Z;{month};10",
                "BDC-2026-0001;1234567A;13/2026;10",
                f"BDC-INCONNU;1234567A;{month};10",
            )
        ),
        page_of,
    )

    assert "Ligne 2, colonne heures : « -3 » : le nombre d’heures ne peut pas être négatif." in text
    assert "Ligne 3, colonne heures : « douze » n’est pas un nombre d’heures valide." in text
    assert (
        f"Ligne 4, colonne mois : la période {validated.mois:%m/%Y} du BDC « BDC-2026-0001 » est déjà validée." in text
    )
    assert "Ligne 5, colonne identifiant_france_travail : aucun stagiaire « 9999999Z »" in text
    assert "Ligne 6, colonne mois : « 13/2026 » n’est pas un mois valide (MM/AAAA)." in text
    assert "Ligne 7, colonne numero_bdc : BDC « BDC-INCONNU » inconnu." in text
    assert not DeclarationHeures.objects.exists()
    assert PeriodeDeclaration.objects.count() == 1


def test_different_hours_already_declared_are_a_conflict(upload, action, page_of):
    declaration = DeclarationHeuresFactory(
        periode=PeriodeDeclarationFactory(action=action, mois=months_ago(1), updated_by_name="GU Be"),
        inscription=InscriptionFactory(
            action=action, stagiaire=StagiaireFactory(organisme=action.organisme, identifiant_france_travail="1234567A")
        ),
        heures=35,
    )

    text = report_of(upload(hours_file(f"BDC-2026-0001;1234567A;{months_ago(1):%m/%Y};40")), page_of)

    assert (
        "Ligne 2, colonne heures : « 40 » diffère des 35,0 heures déjà déclarées (période enregistrée par GU Be" in text
    )
    declaration.refresh_from_db()
    assert declaration.heures == 35


def test_duplicate_hours_lines_are_reported(upload, action, page_of):
    InscriptionFactory(
        action=action, stagiaire=StagiaireFactory(organisme=action.organisme, identifiant_france_travail="1234567A")
    )
    line = f"BDC-2026-0001;1234567A;{months_ago(1):%m/%Y};10"

    text = report_of(upload(hours_file(line, line)), page_of)

    assert "Ligne 3 : doublon de la ligne 2" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Le fichier soumis est vide."),
        (b"\n\n", "Le fichier est vide."),
        (INSCRIPTIONS_HEADER.encode() + b"\r\n", "ne contient que la ligne d’en-têtes"),
        (b"nom;prenom\n", "ne sont pas reconnus"),
        (b"\x00\xff\xfe\x81\x8d\x90garbage", "ni en UTF-8 ni en Windows-1252"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "données binaires"),
        (HEURES_HEADER.encode() + b'\n"unterminated;x\n' + b"a" * 200_000, "ne peut pas être lue"),
        (HEURES_HEADER.encode() + b"\nBDC;1;2\n", "Ligne 2 : 3 valeurs au lieu des 4 attendues"),
    ],
)
def test_unreadable_files_get_a_french_report_never_an_error_page(upload, content, message, page_of, db):
    response = upload(content)

    assert response.status_code == 200
    assert message in page_of(response).text


def test_random_bytes_never_cause_a_server_error(upload, db):
    generator = random.Random(42)
    for _ in range(20):
        raw = bytes(generator.randrange(256) for _ in range(generator.randrange(1, 400)))
        assert upload(HEURES_HEADER.encode() + b"\n" + raw).status_code == 200


def test_files_over_the_size_limit_are_refused(upload, db, page_of):
    response = upload(b"x" * (imports.MAX_FILE_SIZE + 1))

    assert "Le fichier dépasse la taille maximale de 2 Mo." in page_of(response).text


def test_files_over_the_line_limit_are_refused(upload, db, page_of, monkeypatch):
    monkeypatch.setattr(imports, "MAX_LINES", 3)

    response = upload(hours_file(*["BDC;1;01/2026;1"] * 4))

    assert "Le fichier dépasse le maximum de 3 lignes" in page_of(response).text


def test_example_files_can_be_downloaded_and_imported_as_they_are(client_of, upload, action, primary_account):
    for kind in ("inscriptions", "heures"):
        response = client_of(primary_account).get(f"/imports/exemple/{kind}.csv")

        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == f'attachment; filename="exemple_{kind}.csv"'
        assert upload(response.content).status_code == 302
    assert action.inscriptions.filter(stagiaire__isnull=False).count() == 2
    assert DeclarationHeures.objects.filter(inscription__action=action).count() == 2


def test_upload_page_explains_the_columns_and_links_the_examples(client_of, secondary_account, page_of):
    page = page_of(client_of(secondary_account).get(URL))

    assert "identifiant_france_travail : identifiant France Travail du stagiaire" in page.text
    assert page.href("Télécharger un exemple de fichier (inscriptions)") == "/imports/exemple/inscriptions.csv"
    assert page.href("Télécharger un exemple de fichier (heures réalisées)") == "/imports/exemple/heures.csv"


@pytest.mark.parametrize("path", [URL, "/imports/exemple/heures.csv"])
def test_anonymous_visitor_is_sent_to_the_login_page(client, db, path):
    response = client.get(path)

    assert response.status_code == 302
    assert urlsplit(response.url).path == "/connexion/"


@pytest.mark.parametrize("path", [URL, "/imports/exemple/heures.csv"])
def test_region_agent_may_not_import(client_of, region_agent, path):
    assert client_of(region_agent).get(path).status_code == 403


def test_region_agent_posting_a_file_writes_nothing(client_of, region_agent, action):
    content = inscriptions_file(action, trainee_line(action)).encode()

    response = client_of(region_agent).post(URL, {"fichier": SimpleUploadedFile("i.csv", content)})

    assert response.status_code == 403
    assert not Stagiaire.objects.exists()


def test_an_organisme_cannot_import_into_another_organismes_action(upload, action, other_primary_account, page_of):
    text = report_of(upload(inscriptions_file(action, trainee_line(action)), account=other_primary_account), page_of)

    assert "Ligne 2, colonne numero_bdc : BDC « BDC-2026-0001 » inconnu." in text
    assert not Stagiaire.objects.exists()
