"""`manage.py create_region_agent`: the first Region agent, created on the
command line, receives the first e-mail and generates a password like anyone."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from audit.models import AuditEntry
from tests.two_factor import ENROL, enrol

OPTIONS = {
    "civilite": "madame",
    "nom": "MARTIN",
    "prenom": "Claire",
    "courriel": "claire.martin@laregion.fr",
    "identifiant": "claire.martin",
}


def create_agent(**options):
    """Runs the command without questions; returns what it printed."""
    out = StringIO()
    call_command("create_region_agent", interactive=False, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def answer(*lines, **options):
    """Runs the command, typing `lines` at its questions; returns (stdout, stderr)."""
    out, err = StringIO(), StringIO()
    call_command(
        "create_region_agent", stdin=StringIO("".join(f"{line}\n" for line in lines)), stdout=out, stderr=err, **options
    )
    return out.getvalue(), err.getvalue()


# Without questions, for scripts


def test_creates_a_region_agent_from_the_options(mailbox):
    printed = create_agent(**OPTIONS)

    agent = User.objects.get(identifiant="claire.martin")
    assert (agent.kind, agent.organisme) == (User.Kind.REGION_AGENT, None)
    assert (agent.civilite, agent.last_name, agent.first_name, agent.email) == (
        "madame",
        "MARTIN",
        "Claire",
        "claire.martin@laregion.fr",
    )
    assert not agent.has_usable_password()
    assert agent.password_state == User.PasswordState.NOT_SET
    assert (
        "L’agent de la Région Madame MARTIN Claire a été créé avec l’identifiant claire.martin. "
        "Un courriel a été envoyé à claire.martin@laregion.fr pour qu’il génère son mot de passe."
    ) in printed
    entry = AuditEntry.objects.get(account=agent, action=AuditEntry.Action.ACCOUNT_CREATED)
    assert entry.actor is None


def test_the_agent_receives_the_first_email_with_the_chosen_identifiant(mailbox):
    create_agent(**OPTIONS)

    message = mailbox.last_to("claire.martin@laregion.fr")
    assert message["Subject"] == "SIGMA - Création de votre compte d’accès à l’application SIGMA"
    assert "Identifiant : claire.martin\r\nNom d’usage : MARTIN\r\nPrénom : Claire" in mailbox.text(message)
    assert any(link.endswith("/generation-mot-de-passe/") for link in mailbox.links(message))


def test_the_agent_generates_a_password_and_reaches_the_espace_region(mailbox, client_by_link, login_succeeds, client):
    create_agent(**OPTIONS)
    agent = User.objects.get(identifiant="claire.martin")

    browser = client_by_link(agent)
    response = browser.post(
        "/mon-compte/modifications/",
        {
            "identifiant": "claire.martin",
            "new_password": "Region-Occitanie-2026!",
            "new_password_confirmation": "Region-Occitanie-2026!",
        },
    )

    assert response.status_code == 302
    assert login_succeeds("claire.martin", "Region-Occitanie-2026!")
    # A Region agent must turn on the second factor before anything else.
    assert browser.get("/region/").url == ENROL
    enrol(browser)
    assert browser.get("/region/").status_code == 200


def test_civilite_may_be_typed_with_capitals(db):
    create_agent(**OPTIONS | {"civilite": "Monsieur"})

    assert User.objects.get(identifiant="claire.martin").civilite == "monsieur"


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("identifiant", "agent.region", "--identifiant (Identifiant) : Cet identifiant est déjà utilisé."),
        ("identifiant", "AGENT.Region", "--identifiant (Identifiant) : Cet identifiant est déjà utilisé."),
        ("identifiant", "claire martin", "--identifiant (Identifiant) : L’identifiant ne doit pas contenir d’espace."),
        ("courriel", "claire.martin@", "--courriel (Courriel) : Saisissez une adresse de courriel valide."),
        ("civilite", "docteur", "--civilite (Civilité) : Sélectionnez un choix valide."),
        ("nom", "   ", "--nom (Nom d’usage) : Ce champ est obligatoire."),
        ("prenom", None, "--prenom (Prénom) : Ce champ est obligatoire."),
    ],
)
def test_refuses_wrong_options_in_french_and_creates_nothing(region_agent, stored_state, option, value, message):
    before = stored_state()

    with pytest.raises(CommandError) as error:
        create_agent(**OPTIONS | {option: value})

    assert message in str(error.value)
    assert stored_state() == before


def test_refuses_an_identifiant_taken_by_an_organisme_account(primary_account):
    with pytest.raises(CommandError, match=r"Cet identifiant est déjà utilisé\."):
        create_agent(**OPTIONS | {"identifiant": "66bdj5zw4x"})

    assert not User.objects.filter(kind=User.Kind.REGION_AGENT).exists()


def test_without_input_every_option_is_required(db):
    with pytest.raises(CommandError) as error:
        create_agent()

    for option in ["--civilite", "--nom", "--prenom", "--courriel", "--identifiant"]:
        assert option in str(error.value)
    assert not User.objects.exists()


def test_there_is_no_password_option():
    with pytest.raises(TypeError):
        create_agent(**OPTIONS | {"password": "Secret-2026-Region!"})


# With questions


def test_asks_for_each_detail_in_french(mailbox):
    out, err = answer("madame", "MARTIN", "Claire", "claire.martin@laregion.fr", "claire.martin")

    for prompt in ["Civilité (madame / monsieur) : ", "Nom d’usage : ", "Prénom : ", "Courriel : ", "Identifiant : "]:
        assert prompt in out
    assert err == ""
    agent = User.objects.get(identifiant="claire.martin")
    assert (agent.kind, agent.last_name, agent.email) == (User.Kind.REGION_AGENT, "MARTIN", "claire.martin@laregion.fr")
    assert mailbox.to("claire.martin@laregion.fr")


def test_asks_again_after_a_wrong_answer(region_agent):
    out, err = answer(
        "docteur",
        "Madame",
        "",
        "MARTIN",
        "Claire",
        "pas-un-courriel",
        "claire.martin@laregion.fr",
        "agent.region",
        "claire martin",
        "claire.martin",
    )

    assert out.count("Civilité (madame / monsieur) : ") == 2
    assert out.count("Nom d’usage : ") == 2
    assert out.count("Courriel : ") == 2
    assert out.count("Identifiant : ") == 3
    assert "Sélectionnez un choix valide." in err
    assert "Ce champ est obligatoire." in err
    assert "Saisissez une adresse de courriel valide." in err
    assert "Cet identifiant est déjà utilisé." in err
    assert "L’identifiant ne doit pas contenir d’espace." in err
    agent = User.objects.get(identifiant="claire.martin")
    assert (agent.civilite, agent.last_name, agent.email) == ("madame", "MARTIN", "claire.martin@laregion.fr")


def test_asks_only_what_the_options_do_not_give(db):
    out, _err = answer(
        "Claire", nom="MARTIN", civilite="madame", courriel="claire.martin@laregion.fr", identifiant="cm"
    )

    assert "Prénom : " in out
    assert "Nom d’usage : " not in out
    assert User.objects.get(identifiant="cm").first_name == "Claire"


def test_stopping_before_the_end_creates_nothing(db):
    with pytest.raises(CommandError, match=r"Création annulée\."):
        answer("madame", "MARTIN")

    assert not User.objects.exists()


def test_reads_the_answers_typed_at_input(monkeypatch, db):
    """Run as in a terminal: the answers come from the process's standard input."""
    monkeypatch.setattr("sys.stdin", StringIO("monsieur\nDUPONT\nJean\njean.dupont@laregion.fr\njean.dupont\n"))

    call_command("create_region_agent", stdout=StringIO())

    assert User.objects.get(identifiant="jean.dupont").kind == User.Kind.REGION_AGENT
