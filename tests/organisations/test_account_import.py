"""Créer des comptes par fichier (issue 17, point 9): the primary account
uploads a CSV of accounts, reads the report or the preview, then confirms."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from accounts.models import User
from audit.models import AuditEntry
from outbox.models import OutgoingEmail
from tests.factories import OrganismeFactory, UserFactory

FICHIER = "/organisme/comptes/fichier/"
CONFIRMATION = "/organisme/comptes/fichier/confirmation/"
HEADER = "civilité;nom d’usage;prénom;courriel"


def csv_file(*lines, header=HEADER, encoding="utf-8"):
    return SimpleUploadedFile("comptes.csv", "\r\n".join([header, *lines]).encode(encoding), "text/csv")


def people(count):
    return [f"Madame;NOM{n:03d};Prénom;formatrice{n:03d}@exemple.fr" for n in range(1, count + 1)]


@pytest.fixture
def manager(client_of, primary_account):
    return client_of(primary_account)


def secondary_accounts(organisme):
    return User.objects.filter(organisme=organisme, kind=User.Kind.SECONDARY)


def test_the_page_states_the_format_and_the_upper_bound(manager, page_of):
    page = page_of(manager.get(FICHIER))

    assert "<title>Créer des comptes par fichier" in manager.get(FICHIER).text
    assert "500 comptes au plus par fichier" in page.text
    assert "civilité;nom d’usage;prénom;courriel" in page.text


def test_a_file_is_previewed_and_nothing_created_before_confirmation(manager, page_of, organisme):
    response = manager.post(
        FICHIER, {"fichier": csv_file("Madame;DUPRÉ;Émilie;emilie@exemple.fr", "M.;MARTIN;Luc;luc@exemple.fr")}
    )

    page = page_of(response)
    assert "2 comptes secondaires seront créés" in page.text
    assert page.rows == [
        ["2", "DUPRÉ Émilie", "Madame", "emilie@exemple.fr", "À créer"],
        ["3", "MARTIN Luc", "Monsieur", "luc@exemple.fr", "À créer"],
    ]
    assert not secondary_accounts(organisme).exists()
    assert not OutgoingEmail.objects.exists()


def test_confirming_creates_the_accounts_each_with_the_first_email(manager, page_of, organisme, primary_account):
    manager.post(FICHIER, {"fichier": csv_file("Madame;DUPRÉ;Émilie;emilie@exemple.fr")})

    response = manager.post(CONFIRMATION, follow=True)

    (account,) = secondary_accounts(organisme)
    assert (account.civilite, account.last_name, account.first_name, account.email) == (
        "madame",
        "DUPRÉ",
        "Émilie",
        "emilie@exemple.fr",
    )
    assert not account.has_usable_password()
    (email,) = OutgoingEmail.objects.filter(account=account)
    assert email.template == "account_created"
    assert account.identifiant in email.text_body
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCOUNT_CREATED, account=account)
    assert entry.actor == primary_account
    assert (
        "1 compte secondaire créé pour l’organisme ORGANISME TEST PRF 23\u00a0: "
        "son identifiant lui a été envoyé par courriel." in page_of(response).text
    )


# 200 accounts, each with its e-mail: over a second of its own, `make test` only.
@pytest.mark.slow
def test_two_hundred_accounts_from_one_file_in_one_transaction(manager, organisme, settings, transactional_db):
    manager.post(FICHIER, {"fichier": csv_file(*people(200))})
    outside_transaction = []

    def watch(execute, sql, params, many, context):
        if not connection.in_atomic_block and sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            outside_transaction.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        response = manager.post(CONFIRMATION)

    assert response.status_code == 302
    assert secondary_accounts(organisme).count() == 200
    assert OutgoingEmail.objects.filter(template="account_created").count() == 200
    assert [sql for sql in outside_transaction if "django_session" not in sql] == []


def test_one_bad_line_creates_none_and_names_the_line(manager, page_of, organisme):
    lines = people(5)
    lines[3] = "Madame;NOM004;Prénom;pas-une-adresse"

    page = page_of(manager.post(FICHIER, {"fichier": csv_file(*lines)}))

    assert "Aucun compte n’a été créé" in page.text
    assert (
        "Ligne 5, colonne courriel\u00a0: «\u00a0pas-une-adresse\u00a0» n’est pas une adresse de courriel valide."
        in page.text
    )
    assert manager.post(CONFIRMATION).status_code == 302
    assert not secondary_accounts(organisme).exists()
    assert not OutgoingEmail.objects.exists()


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("Madame;;Émilie;e@exemple.fr", "Ligne 2, colonne nom d’usage\u00a0: le nom d’usage est vide."),
        ("Madame;DUPRÉ;;e@exemple.fr", "Ligne 2, colonne prénom\u00a0: le prénom est vide."),
        (
            "Docteur;DUPRÉ;Émilie;e@exemple.fr",
            "Ligne 2, colonne civilité\u00a0: «\u00a0Docteur\u00a0» n’est pas une civilité\u00a0: "
            "écrivez Madame ou Monsieur.",
        ),
        (
            "Madame;DUPRÉ\u202e;Émilie;e@exemple.fr",
            "Ligne 2, colonne nom d’usage\u00a0: contient un caractère invisible",
        ),
        ("Madame;DUPRÉ;Émilie", "Ligne 2\u00a0: 3 valeurs au lieu des 4 attendues"),
    ],
)
def test_each_malformed_line_is_reported_with_its_column(manager, page_of, organisme, line, error):
    page = page_of(manager.post(FICHIER, {"fichier": csv_file(line)}))

    assert error in page.text
    assert not secondary_accounts(organisme).exists()


def test_an_address_twice_in_the_file_names_both_lines(manager, page_of):
    page = page_of(
        manager.post(FICHIER, {"fichier": csv_file("Madame;A;Anne;meme@exemple.fr", "Monsieur;B;Bob;MEME@exemple.fr")})
    )

    assert (
        "Ligne 3, colonne courriel\u00a0: l’adresse «\u00a0MEME@exemple.fr\u00a0» figure déjà ligne 2 du fichier"
        in page.text
    )


def test_an_address_of_another_account_of_the_organisme_is_refused(manager, page_of, secondary_account):
    page = page_of(manager.post(FICHIER, {"fichier": csv_file("Monsieur;AUTRE;Personne;aa1@aa.fr")}))

    assert "est déjà celle du compte de NOM TEST COMPTE PRENOM TEST COMPTE (identifiant test.identifiant)" in page.text


def test_another_organismes_accounts_play_no_part(manager, page_of, organisme):
    UserFactory(organisme=OrganismeFactory(), last_name="X", first_name="Y", email="emilie@exemple.fr")

    page = page_of(manager.post(FICHIER, {"fichier": csv_file("Madame;DUPRÉ;Émilie;emilie@exemple.fr")}))

    assert "1 compte secondaire sera créé." in page.text


def test_importing_the_same_file_twice_creates_nothing_the_second_time(manager, page_of, organisme):
    upload = lambda: manager.post(FICHIER, {"fichier": csv_file(*people(3), encoding="cp1252")})  # noqa: E731
    upload()
    manager.post(CONFIRMATION)

    page = page_of(upload())

    assert "Tous les comptes de ce fichier existent déjà\u00a0: aucun compte à créer." in page.text
    assert [row[-1] for row in page.rows] == ["Existe déjà"] * 3
    assert manager.post(CONFIRMATION).status_code == 302
    assert secondary_accounts(organisme).count() == 3
    assert OutgoingEmail.objects.count() == 3


def test_a_second_confirmation_creates_nothing_more(manager, organisme):
    manager.post(FICHIER, {"fichier": csv_file(*people(2))})
    manager.post(CONFIRMATION)

    response = manager.post(CONFIRMATION, follow=True)

    assert "Aucun fichier en attente de confirmation" in response.text
    assert secondary_accounts(organisme).count() == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "données binaires"),
        (b"\x81\x8d\x90\x9d" * 10, "ni en UTF-8 ni en Windows-1252"),
        ("Madame;DUPRÉ;Émilie;e@exemple.fr".encode(), "La première ligne doit être celle des en-têtes"),
        (HEADER.encode(), "ne contient que la ligne d’en-têtes"),
        ((HEADER + "\r\n" + "\r\n".join(people(501))).encode(), "dépasse le maximum de 500 lignes"),
        (b"a" * (256 * 1024 + 1), "dépasse la taille maximale de 0,25\u00a0Mo"),
    ],
)
def test_a_hostile_file_gets_a_french_error_next_to_the_field(manager, field_errors, organisme, content, message):
    response = manager.post(FICHIER, {"fichier": SimpleUploadedFile("comptes.csv", content, "text/csv")})

    assert response.status_code == 200
    (error,) = field_errors(response, "fichier")
    assert message in error
    assert not secondary_accounts(organisme).exists()


def test_a_formula_cell_is_checked_as_any_name_and_never_run(manager, page_of, organisme):
    manager.post(FICHIER, {"fichier": csv_file('Madame;=HYPERLINK("http://x");Anne;anne@exemple.fr')})
    manager.post(CONFIRMATION)

    account = secondary_accounts(organisme).get()
    assert account.last_name == '=HYPERLINK("http://x")'
    export = b"".join(manager.get("/organisme/comptes/export.csv").streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in export


def test_a_secondary_account_may_not_create_accounts_by_file(client_of, secondary_account):
    client = client_of(secondary_account)

    assert client.get(FICHIER).status_code == 403
    assert client.post(FICHIER, {"fichier": csv_file(*people(1))}).status_code == 403
    assert client.post(CONFIRMATION).status_code == 403
    assert not User.objects.filter(email="formatrice001@exemple.fr").exists()
