"""IDOR and privilege escalation: every URL pattern of the application, walked
from the URL configuration, requested by every role.

Two organismes, A and B, each with its accounts, actions, inscriptions,
periods, invoices and a pending proposal of the primary role. The actors belong
to A (its compte principal, a compte secondaire, a compte secondaire still on a
temporary password), plus an anonymous visitor and a Région agent.

For every route the matrix says which roles may reach it. Each role requests
it (GET, and POST for the pages that change something) with B's ids, then with
A's. Only the Région may use B's ids; an organisme's accounts get 403 or 404
and change nothing anywhere, and the pages they do reach show nothing of B.
A route missing from the matrix fails the test: a new page cannot be forgotten.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts import links
from accounts.models import AccountSession, HandoverProposal, PasswordLink, User
from outbox.models import OutgoingEmail
from passkeys.models import Passkey
from proconnect.models import AccessRequest
from tests.database import rows_of
from tests.factories import (
    PASSWORD,
    ActionFormationFactory,
    BilanFactory,
    DeclarationHeuresFactory,
    DemandeModificationFactory,
    FactureFactory,
    InscriptionFactory,
    OrganismeFactory,
    PeriodeDeclarationFactory,
    StagiaireFactory,
    UserFactory,
)
from tests.pages import read_page
from tests.worlds import CopiedOnRead, made_once_per_module, sessions_of, signed_in

ANONYMOUS, SECONDARY, PRIMARY, REGION, TEMPORARY = "anonymous", "secondary", "primary", "region", "temporary"
ROLES = (ANONYMOUS, SECONDARY, PRIMARY, REGION, TEMPORARY)
LOGGED_IN = frozenset({SECONDARY, PRIMARY, REGION, TEMPORARY})
ORGANISME_ACCOUNTS = frozenset({SECONDARY, PRIMARY})
EVERYONE = frozenset(ROLES)
# Text found only in organisme B's data: an A account must never read it.
B_MARKER = "ZZORGB"


def walk_url_patterns(patterns=None, namespace=""):
    """Every named route of the URL configuration, as "namespace:name", recursively."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk_url_patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            # An unnamed route cannot be reversed, so cannot be in the matrix: name it.
            yield f"{namespace}{entry.name}" if entry.name else f"<unnamed {entry.pattern}>"


@dataclass(frozen=True)
class Route:
    """Who may reach a route, with which ids, and what a POST sends.

    `kwargs(org)`: the URL's arguments for organisme `org`'s objects.
    `scoped`: the arguments (or the posted body) are objects of one organisme,
    so B's are requested too. `post(org)`: the body of a state-changing POST;
    None for a page that changes nothing. `effect`: whether an allowed POST
    changes stored data in this world. `post_only`: GET answers 405.
    `hidden`: not found for anyone in this world (see its comment).
    """

    reach: frozenset
    kwargs: Callable = lambda org: {}
    scoped: bool = False
    post: Callable | None = None
    effect: bool = True
    post_only: bool = False
    hidden: bool = False
    variants: dict = field(default_factory=dict)


def account_form(org):
    return {"civilite": "monsieur", "last_name": "PIRATE", "first_name": "Jean", "email": "pirate@exemple.fr"}


def versioned(data):
    return lambda org: data(org) | {"version": 1}


def _account_action_variants():
    """Each management action on the account it applies to."""
    return {
        "regenerer": lambda org: {"pk": org.target.pk, "action": "regenerer"},
        "supprimer": lambda org: {"pk": org.target.pk, "action": "supprimer"},
        "debloquer": lambda org: {"pk": org.blocked.pk, "action": "debloquer"},
        "desactiver": lambda org: {"pk": org.target.pk, "action": "desactiver"},
        "activer": lambda org: {"pk": org.inactive.pk, "action": "activer"},
        "reinitialiser-double-authentification": lambda org: {
            "pk": org.target.pk,
            "action": "reinitialiser-double-authentification",
        },
        "fermer-sessions": lambda org: {"pk": org.target.pk, "action": "fermer-sessions"},
    }


def action_form(org):
    return {
        "numero_bdc": f"BDC-NOUVEAU-{org.organisme.pk}",
        "intitule": "Action créée",
        "programme": "qualif_pro",
        "lieu": "Albi",
        "date_debut": "01/09/2026",
        "date_fin": "30/06/2027",
        "places": 10,
        "heures_prevues": 300,
    }


def hours_import(org):
    line = f"{org.action.numero_bdc};{org.stagiaire.identifiant_france_travail};{org.periode.mois:%m/%Y};42"
    raw = f"numero_bdc;identifiant_france_travail;mois;heures\n{line}\n".encode()
    return {"fichier": SimpleUploadedFile("heures.csv", raw, "text/csv")}


def accounts_file(org):
    raw = "civilité;nom d’usage;prénom;courriel\nMonsieur;PIRATE;Jean;pirate@exemple.fr\n".encode()
    return {"fichier": SimpleUploadedFile("comptes.csv", raw, "text/csv")}


MATRIX = {
    # Public pages.
    "accounts:login": Route(reach=EVERYONE - {TEMPORARY}),
    # The login's second step: without a password just checked, back to the login page.
    "accounts:login_code": Route(reach=EVERYONE - {TEMPORARY}),
    "accounts:logout": Route(reach=EVERYONE, post=lambda org: {}, effect=False, post_only=True),
    "accounts:password_generation": Route(
        reach=EVERYONE - {TEMPORARY},
        post=lambda org: {
            "identifiant": org.target.identifiant,
            "last_name": org.target.last_name,
            "first_name": org.target.first_name,
            "email": org.target.email,
        },
    ),
    "accounts:identifiant_reminder": Route(
        reach=EVERYONE - {TEMPORARY},
        post=lambda org: {
            "last_name": org.target.last_name,
            "first_name": org.target.first_name,
            "email": org.target.email,
        },
    ),
    # Holding the token is the authority: it only moves the token to the session.
    "accounts:password_link": Route(reach=EVERYONE - {TEMPORARY}, kwargs=lambda org: {"token": org.token}),
    # Without a link's token in its session, the page is not found for anyone
    # (tests/security/test_token_abuse.py uses it with one).
    "accounts:password_link_confirm": Route(reach=frozenset(), hidden=True, post=lambda org: {}),
    "accounts:credentials": Route(
        reach=LOGGED_IN,
        post=lambda org: {
            "current_password": PASSWORD,
            "identifiant": f"nouvel.identifiant.{org.organisme.pk}",
            "new_password": "Nouveau-Secret-Occitanie-7!",
            "new_password_confirmation": "Nouveau-Secret-Occitanie-7!",
        },
    ),
    # The account's own second factor: no ids to substitute. Turning it off or
    # regenerating codes needs a current code (tests/accounts/test_two_factor.py).
    "accounts:two_factor": Route(reach=LOGGED_IN - {TEMPORARY}),
    # Mes coordonnées: the session's own account only (tests/accounts/test_contact_details.py).
    "accounts:contact_details": Route(reach=LOGGED_IN - {TEMPORARY}),
    "accounts:email_change_cancel": Route(
        reach=LOGGED_IN - {TEMPORARY}, post=lambda org: {}, effect=False, post_only=True
    ),
    # Without a live change's token, not found for anyone; with it, see test_contact_details.py.
    "accounts:email_change_link": Route(reach=frozenset(), hidden=True, kwargs=lambda org: {"token": "inconnu"}),
    "accounts:email_change_confirm": Route(reach=frozenset(), hidden=True, post=lambda org: {}),
    # « Confirmez votre mot de passe »: the session's own account only; a right
    # password marks the session, nothing stored (tests/accounts/test_reauthentication.py).
    "accounts:reauthenticate": Route(
        reach=LOGGED_IN - {TEMPORARY}, post=lambda org: {"motdepasse-password": PASSWORD}, effect=False
    ),
    "accounts:two_factor_enrol": Route(reach=LOGGED_IN - {TEMPORARY}),
    "accounts:two_factor_regenerate": Route(reach=LOGGED_IN - {TEMPORARY}, post_only=True),
    "accounts:two_factor_disable": Route(reach=LOGGED_IN - {TEMPORARY}, post_only=True),
    # Mes sessions: the account's own sessions only. Nobody, the Région
    # included, ends another account's session from there (a manager ends
    # them all through fermer-sessions); ending one's own is tested in
    # tests/accounts/test_account_sessions.py. The actors here are signed in
    # without a recorded session, so "the others" are none: nothing changes.
    "accounts:sessions": Route(reach=LOGGED_IN - {TEMPORARY}),
    "accounts:session_end": Route(
        reach=frozenset(),
        kwargs=lambda org: {"pk": org.target_session.pk},
        scoped=True,
        post=lambda org: {},
        post_only=True,
    ),
    "accounts:sessions_end_others": Route(
        reach=LOGGED_IN - {TEMPORARY}, post=lambda org: {}, post_only=True, effect=False
    ),
    "core:contacts": Route(reach=EVERYONE),
    "core:accessibility": Route(reach=EVERYONE),
    # Probes for the load balancer; the metrics only for a scraper holding METRICS_TOKEN.
    "ops:healthz": Route(reach=EVERYONE - {TEMPORARY}),
    "ops:readyz": Route(reach=EVERYONE - {TEMPORARY}),
    "ops:metrics": Route(reach=frozenset(), hidden=True),
    # The development mail viewer exists only with DEBUG and the mail folder.
    "core:dev_mail_list": Route(reach=frozenset(), hidden=True),
    "core:dev_mail_detail": Route(reach=frozenset(), hidden=True, kwargs=lambda org: {"name": "message.eml"}),
    # The style guide, like the mail viewer, exists only in development (DEBUG).
    "core:dev_styleguide": Route(reach=frozenset(), hidden=True),
    # Home page and the handover answers.
    "dashboard:home": Route(reach=ORGANISME_ACCOUNTS | {REGION}),
    # Recherche rapide: an organisme's own data (test_the_quick_search_finds_nothing_of_organisme_b
    # searches B's); a Région agent is sent to the Espace Région's search.
    "dashboard:search": Route(reach=ORGANISME_ACCOUNTS | {REGION}),
    "dashboard:handover_accept": Route(
        reach=frozenset({SECONDARY}),
        kwargs=lambda org: {"pk": org.proposal.pk},
        scoped=True,
        post=lambda org: {},
        post_only=True,
    ),
    "dashboard:handover_decline": Route(
        reach=frozenset({SECONDARY}),
        kwargs=lambda org: {"pk": org.proposal.pk},
        scoped=True,
        post=lambda org: {},
        post_only=True,
    ),
    "dashboard:handover_cancel": Route(
        reach=frozenset({PRIMARY}),
        kwargs=lambda org: {"pk": org.proposal.pk},
        scoped=True,
        post=lambda org: {},
        post_only=True,
    ),
    # Gestion organisme.
    "organisations:organisme_detail": Route(reach=frozenset({PRIMARY})),
    "organisations:two_factor_requirement": Route(
        reach=frozenset({PRIMARY}), post=lambda org: {"required": "1"}, post_only=True
    ),
    "organisations:account_list": Route(reach=frozenset({PRIMARY})),
    "organisations:account_export": Route(reach=frozenset({PRIMARY})),
    # The upload shows a preview and creates nothing; the confirmation, with no
    # file previewed in this session, creates nothing either.
    "organisations:account_import": Route(reach=frozenset({PRIMARY}), post=accounts_file, effect=False),
    "organisations:account_import_confirm": Route(
        reach=frozenset({PRIMARY}), post=lambda org: {}, effect=False, post_only=True
    ),
    "organisations:account_create": Route(reach=frozenset({PRIMARY}), post=account_form),
    "organisations:account_update": Route(
        reach=frozenset({PRIMARY}),
        kwargs=lambda org: {"pk": org.target.pk},
        scoped=True,
        post=versioned(account_form),
    ),
    # The organisme already has a pending proposal: a second one is refused.
    "organisations:handover_propose": Route(
        reach=frozenset({PRIMARY}),
        kwargs=lambda org: {"pk": org.target.pk},
        scoped=True,
        post=lambda org: {},
        effect=False,
    ),
    "organisations:handover_cancel": Route(
        reach=frozenset({PRIMARY}),
        kwargs=lambda org: {"proposal_pk": org.proposal.pk},
        scoped=True,
        post=lambda org: {},
        post_only=True,
    ),
    "organisations:account_action": Route(
        reach=frozenset({PRIMARY}),
        scoped=True,
        post=lambda org: {},
        variants=_account_action_variants(),
    ),
    # The periodic review of an organisme's accounts, and the Région's list of late ones.
    "access_reviews:review": Route(reach=frozenset({PRIMARY}), post=lambda org: {}),
    "access_reviews:overdue": Route(reach=frozenset({REGION})),
    # Historique and its export.
    "audit:organisme_history": Route(reach=frozenset({PRIMARY})),
    "audit:region_history": Route(reach=frozenset({REGION})),
    "audit:region_history_csv": Route(reach=frozenset({REGION})),
    # Espace Région.
    "region:search": Route(reach=frozenset({REGION})),
    "region:organisme_create": Route(
        reach=frozenset({REGION}),
        post=lambda org: (
            account_form(org) | {"raison_sociale": "NOUVEL ORGANISME", "enseigne": "", "siret": "73282932000074"}
        ),
    ),
    "region:organisme_detail": Route(
        reach=frozenset({REGION}), kwargs=lambda org: {"pk": org.organisme.pk}, scoped=True
    ),
    "region:hand_over": Route(
        reach=frozenset({REGION}),
        kwargs=lambda org: {"organisme_pk": org.organisme.pk},
        scoped=True,
        post=lambda org: {"new_primary": org.target.pk, "former_primary_becomes": "secondary"},
    ),
    "region:account_create": Route(
        reach=frozenset({REGION}),
        kwargs=lambda org: {"organisme_pk": org.organisme.pk},
        scoped=True,
        post=account_form,
    ),
    "region:account_update": Route(
        reach=frozenset({REGION}),
        kwargs=lambda org: {"pk": org.primary.pk},
        scoped=True,
        post=versioned(account_form),
    ),
    "region:account_action": Route(
        reach=frozenset({REGION}),
        scoped=True,
        post=lambda org: {},
        variants=_account_action_variants()
        | {"desactiver-principal": lambda org: {"pk": org.primary.pk, "action": "desactiver"}},
    ),
    "region:training_action_list": Route(
        reach=frozenset({REGION}), kwargs=lambda org: {"organisme_pk": org.organisme.pk}, scoped=True
    ),
    "region:training_action_create": Route(
        reach=frozenset({REGION}),
        kwargs=lambda org: {"organisme_pk": org.organisme.pk},
        scoped=True,
        post=action_form,
    ),
    "region:training_action_detail": Route(
        reach=frozenset({REGION}), kwargs=lambda org: {"pk": org.action.pk}, scoped=True
    ),
    "region:training_announce_seats": Route(
        reach=frozenset({REGION}),
        kwargs=lambda org: {"pk": org.action.pk},
        scoped=True,
        post=lambda org: {"nombre": 1},
        post_only=True,
    ),
    "region:training_invoice_create": Route(
        reach=frozenset({REGION}),
        kwargs=lambda org: {"pk": org.action.pk},
        scoped=True,
        post=lambda org: {"numero": "FAC-PIRATE", "montant": "100", "status": "en_attente_validation"},
        post_only=True,
    ),
    "region:training_invoice_status": Route(
        reach=frozenset({REGION}),
        kwargs=lambda org: {"pk": org.facture.pk},
        scoped=True,
        post=lambda org: {"status": "suspendue", "based_on_status": "en_attente_validation"},
        post_only=True,
    ),
    "region:training_action_update": Route(
        reach=frozenset({REGION}),
        kwargs=lambda org: {"pk": org.action.pk},
        scoped=True,
        post=versioned(lambda org: action_form(org) | {"numero_bdc": org.action.numero_bdc, "intitule": "Modifiée"}),
    ),
    "region:training_action_close": Route(
        reach=frozenset({REGION}),
        kwargs=lambda org: {"pk": org.action.pk},
        scoped=True,
        post=lambda org: {"version": 1},
    ),
    "region:training_action_reopen": Route(
        reach=frozenset({REGION}),
        kwargs=lambda org: {"pk": org.closed_action.pk},
        scoped=True,
        post=lambda org: {"version": 1},
    ),
    # The e-mails the outbox failed to deliver, for the Région to send again.
    "outbox:failed_emails": Route(reach=frozenset({REGION})),
    "outbox:resend": Route(
        reach=frozenset({REGION}),
        kwargs=lambda org: {"pk": org.failed_email.pk},
        scoped=True,
        post=lambda org: {},
        post_only=True,
    ),
    # Actions de formation: the organisme's accounts edit, the Région reads.
    "training:action_list": Route(reach=ORGANISME_ACCOUNTS | {REGION}),
    "training:invoice_list": Route(reach=ORGANISME_ACCOUNTS | {REGION}),
    "training:action_detail": Route(
        reach=ORGANISME_ACCOUNTS | {REGION}, kwargs=lambda org: {"pk": org.action.pk}, scoped=True
    ),
    "training:inscription_edit": Route(
        reach=ORGANISME_ACCOUNTS,
        kwargs=lambda org: {"pk": org.action.pk, "inscription_pk": org.inscription.pk},
        scoped=True,
        post=versioned(
            lambda org: {
                "nom": "PIRATE",
                "prenom": "Jean",
                "date_naissance": "17/05/1990",
                "identifiant_france_travail": f"{org.organisme.pk}999999X",
                "date_entree": f"{org.action.date_debut:%d/%m/%Y}",
            }
        ),
    ),
    "training:period_edit": Route(
        reach=ORGANISME_ACCOUNTS,
        kwargs=lambda org: {"pk": org.action.pk, "period_pk": org.periode.pk},
        scoped=True,
        post=versioned(lambda org: {f"heures_{org.inscription.pk}": "99"}),
    ),
    "training:period_validate": Route(
        reach=ORGANISME_ACCOUNTS,
        kwargs=lambda org: {"pk": org.action.pk, "period_pk": org.periode.pk},
        scoped=True,
        post=lambda org: {"version": 1},
        post_only=True,
    ),
    # Demandes de modification: filed by the organisme's accounts, answered by the Région.
    "training:demande_list": Route(reach=ORGANISME_ACCOUNTS | {REGION}),
    "training:demande_detail": Route(
        reach=ORGANISME_ACCOUNTS | {REGION}, kwargs=lambda org: {"pk": org.demande.pk}, scoped=True
    ),
    "training:demande_create": Route(
        reach=ORGANISME_ACCOUNTS,
        kwargs=lambda org: {"pk": org.action.pk},
        scoped=True,
        post=lambda org: {"objet": "lieu", "explication": "Nouveaux locaux."},
    ),
    "training:demande_answer": Route(
        reach=frozenset({REGION}),
        kwargs=lambda org: {"pk": org.demande.pk},
        scoped=True,
        post=lambda org: {"decision": "refuser", "reponse": "Non.", "version": 1},
        post_only=True,
    ),
    # An invoice's page and history; its organisme corrects it once rejected.
    "training:invoice_detail": Route(
        reach=ORGANISME_ACCOUNTS | {REGION}, kwargs=lambda org: {"pk": org.facture.pk}, scoped=True
    ),
    "training:invoice_correct": Route(
        reach=ORGANISME_ACCOUNTS,
        kwargs=lambda org: {"pk": org.rejected_facture.pk},
        scoped=True,
        post=versioned(lambda org: {"numero": org.rejected_facture.numero, "montant": "99"}),
    ),
    # Bilans and questionnaires: the organisme's accounts fill them, the Région reads and reopens them.
    "training:bilan_list": Route(reach=ORGANISME_ACCOUNTS | {REGION}),
    "training:bilan_detail": Route(
        reach=ORGANISME_ACCOUNTS | {REGION},
        kwargs=lambda org: {"pk": org.closed_action.pk, "inscription_pk": org.exited.pk, "kind": "situation_sortie"},
        scoped=True,
    ),
    "training:bilan_edit": Route(
        reach=ORGANISME_ACCOUNTS,
        kwargs=lambda org: {"pk": org.closed_action.pk, "inscription_pk": org.exited.pk, "kind": "satisfaction"},
        scoped=True,
        post=lambda org: {"version": 0, "q_contenu": "4", "commentaire": "PIRATE"},
    ),
    "training:bilan_reopen": Route(
        reach=frozenset({REGION}),
        kwargs=lambda org: {"pk": org.closed_action.pk, "inscription_pk": org.exited.pk, "kind": "situation_sortie"},
        scoped=True,
        post=lambda org: {"version": org.bilan.version},
        post_only=True,
    ),
    "training:periods_validate_complete": Route(
        reach=ORGANISME_ACCOUNTS,
        kwargs=lambda org: {"pk": org.closed_action.pk},
        scoped=True,
        post=lambda org: {f"periode_{org.complete_periode.pk}": org.complete_periode.version},
    ),
    # Imports: the ids are in the file. B's BDC in A's file must be refused.
    "imports:upload": Route(reach=ORGANISME_ACCOUNTS, scoped=True, post=hours_import),
    "imports:example": Route(
        reach=ORGANISME_ACCOUNTS,
        variants={kind: (lambda org, kind=kind: {"kind": kind}) for kind in ("inscriptions", "heures")},
    ),
    # ProConnect's sign-in pages exist only once it is configured, which this
    # world is not (tests/proconnect/ walks them with the provider).
    "proconnect:start": Route(reach=frozenset(), hidden=True, post=lambda org: {}),
    "proconnect:callback": Route(reach=frozenset(), hidden=True),
    "proconnect:logged_out": Route(reach=frozenset(), hidden=True),
    "proconnect:link": Route(reach=frozenset(), hidden=True, post=lambda org: {}),
    "proconnect:access_request": Route(reach=frozenset(), hidden=True, post=lambda org: {}),
    # The demandes d'accès to an organisme: its primary account answers them.
    "proconnect:requests": Route(reach=frozenset({PRIMARY})),
    "proconnect:answer": Route(
        reach=frozenset({PRIMARY}),
        scoped=True,
        post=lambda org: {},
        post_only=True,
        variants={
            answer: (lambda org, answer=answer: {"pk": org.access_request.pk, "answer": answer})
            for answer in ("accepter", "refuser")
        },
    ),
    # Mon compte > Clés d'accès: an account's own passkeys only; A's compte
    # secondaire holds one, B's ids are refused to everyone (tests/passkeys/).
    "passkeys:list": Route(reach=LOGGED_IN - {TEMPORARY}),
    # A response that is not one is refused on the form: nothing stored.
    "passkeys:add": Route(
        reach=LOGGED_IN - {TEMPORARY}, post=lambda org: {"name": "Clé", "credential": "{}"}, effect=False
    ),
    "passkeys:registration_options": Route(
        reach=LOGGED_IN - {TEMPORARY}, post=lambda org: {}, effect=False, post_only=True
    ),
    "passkeys:rename": Route(
        reach=frozenset({SECONDARY}), kwargs=lambda org: {"pk": org.passkey.pk}, post=lambda org: {"name": "Renommée"}
    ),
    "passkeys:remove": Route(
        reach=frozenset({SECONDARY}), kwargs=lambda org: {"pk": org.passkey.pk}, post=lambda org: {}
    ),
    "passkeys:confirm": Route(
        reach=LOGGED_IN - {TEMPORARY}, post=lambda org: {"credential": "{}"}, effect=False, post_only=True
    ),
    "passkeys:confirmation_options": Route(
        reach=LOGGED_IN - {TEMPORARY}, post=lambda org: {}, effect=False, post_only=True
    ),
    # Public, as the login page: a response that is not one signs no one in.
    "passkeys:sign_in": Route(
        reach=EVERYONE - {TEMPORARY}, post=lambda org: {"credential": "{}"}, effect=False, post_only=True
    ),
    "passkeys:sign_in_options": Route(reach=EVERYONE - {TEMPORARY}, post=lambda org: {}, effect=False, post_only=True),
    # Mon compte > ProConnect: the account's own link (removing it changes
    # nothing for an account without one).
    "proconnect:account": Route(reach=LOGGED_IN - {TEMPORARY}, post=lambda org: {}, effect=False),
}


def cases():
    for name in walk_url_patterns():
        route = MATRIX.get(name)
        for variant in route.variants if route and route.variants else [""]:
            for role in ROLES:
                yield pytest.param(name, variant, role, id=f"{name}[{variant}]-{role}" if variant else f"{name}-{role}")


def make_organisme(marker):
    """An organisme with everything the routes act on; names carry `marker`."""
    organisme = OrganismeFactory(raison_sociale=f"{marker} FORMATION")

    def account(label, **traits):
        return UserFactory(organisme=organisme, last_name=f"{marker}{label}", first_name=f"{marker}prenom", **traits)

    org = SimpleNamespace(organisme=organisme)
    org.primary = account("PRINCIPAL", primary=True)
    org.colleague = account("COLLEGUE")
    org.temporary = account("TEMPORAIRE", password_state=User.PasswordState.TEMPORARY)
    org.target = account("CIBLE", second_factor=True)
    org.blocked = account("BLOQUE", blocked=True)
    org.target_session = AccountSession.objects.create(
        account=org.target, key_digest=marker.lower().ljust(64, "0"), sign_in_method="password"
    )
    org.inactive = account("INACTIF", deactivated=True)
    org.passkey = Passkey.objects.create(
        user=org.colleague,
        name=f"{marker} clé",
        confirmed=True,
        credential_id=f"{marker}-cle",
        public_key=b"-",
        user_handle=marker.encode(),
    )
    org.proposal = HandoverProposal.objects.create(
        organisme=organisme, proposed_by=org.primary, proposed_to=org.colleague
    )
    org.access_request = AccessRequest.objects.create(
        organisme=organisme,
        sub=f"{marker}-sub",
        civilite="madame",
        last_name=f"{marker}DEMANDE",
        first_name=f"{marker}prenom",
        email=f"{marker.lower()}@exemple.fr",
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    org.token = f"{marker}-jeton-valide"
    PasswordLink.objects.create(
        user=org.target, token_digest=links.digest(org.token), expires_at=timezone.now() + datetime.timedelta(hours=1)
    )
    today = timezone.localdate()
    org.action = ActionFormationFactory(
        organisme=organisme,
        numero_bdc=f"BDC-{marker}",
        intitule=f"{marker} action",
        date_debut=today - datetime.timedelta(days=90),
        date_fin=today + datetime.timedelta(days=90),
    )
    org.closed_action = ActionFormationFactory(organisme=organisme, closed=True, intitule=f"{marker} fermée")
    org.stagiaire = StagiaireFactory(
        organisme=organisme, nom=f"{marker}STAGIAIRE", identifiant_france_travail=f"{organisme.pk}00001A"
    )
    org.inscription = InscriptionFactory(action=org.action, stagiaire=org.stagiaire)
    org.periode = PeriodeDeclarationFactory(action=org.action)
    org.facture = FactureFactory(action=org.action, numero=f"FAC-{marker}")
    org.rejected_facture = FactureFactory(action=org.action, numero=f"FAC-REJ-{marker}", rejected=True)
    org.demande = DemandeModificationFactory(action=org.action, explication=f"{marker} demande")
    # A trainee who left the closed action: a validated bilan, a complete period to validate.
    org.exited = InscriptionFactory(
        action=org.closed_action,
        stagiaire=StagiaireFactory(
            organisme=organisme, nom=f"{marker}SORTI", identifiant_france_travail=f"{organisme.pk}00002B"
        ),
        date_sortie=org.closed_action.date_fin,
    )
    org.bilan = BilanFactory(inscription=org.exited, kind="situation_sortie", validated=True)
    org.complete_periode = PeriodeDeclarationFactory(
        action=org.closed_action, mois=(org.closed_action.date_debut + datetime.timedelta(days=31)).replace(day=1)
    )
    DeclarationHeuresFactory(periode=org.complete_periode, inscription=org.exited)
    org.failed_email = OutgoingEmail.objects.create(
        to=org.target.email,
        account=org.target,
        template="account_created",
        subject=f"{marker} courriel",
        text_body=f"{marker} texte",
        html_body=f"<p>{marker} texte</p>",
        status=OutgoingEmail.Status.FAILED,
    )
    return org


@pytest.fixture(scope="module")
def world_of_this_module(django_db_setup, django_db_blocker):
    """The two organismes and the Région agent, made once for the file's ~600
    tests (tests/worlds.py, as Django's setUpTestData would): inside a
    transaction rolled back at the end, each test's own transaction a savepoint
    within it."""
    with made_once_per_module(django_db_blocker):
        world = SimpleNamespace(
            a=make_organisme("ORGA"),
            b=make_organisme(B_MARKER),
            region=UserFactory(region_agent=True, last_name="AGENT", first_name="Région"),
        )
        # Each actor signed in once (tests/worlds.py): no test changes them before.
        world.sessions = sessions_of(world.a.colleague, world.a.primary, world.region, world.a.temporary)
        yield world


@pytest.fixture
def world(world_of_this_module, db):
    """The stored data as made, each test's changes undone by its rollback;
    and fresh copies of its objects, so that no test sees another's."""
    return CopiedOnRead(world_of_this_module)


def client_for(role, world):
    client = Client()
    actor = {
        SECONDARY: world.a.colleague,
        PRIMARY: world.a.primary,
        REGION: world.region,
        TEMPORARY: world.a.temporary,
    }.get(role)
    if actor:
        signed_in(client, world.sessions, actor)
    return client


def stored_data():
    """Every row of every table but sessions and Django's own bookkeeping, every
    column as stored (tests/database.py)."""
    return {
        model._meta.label: rows_of(model)
        for model in apps.get_models()
        if model._meta.app_label not in {"contenttypes", "sessions", "auth"}
    }


def outcome(response, url):
    assert response.status_code != 500, f"{url}: server error"
    if response.status_code == 302:
        location = urlsplit(response["Location"]).path
        if location == reverse("accounts:login") and "next=" in response["Location"]:
            return "login"
        if location == reverse("accounts:credentials") and urlsplit(url).path != location:
            return "credentials"
        return "redirect"
    return {200: "ok", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}.get(
        response.status_code, str(response.status_code)
    )


def expected(route, role, method, *, allowed):
    if role == TEMPORARY and not allowed:
        return {"credentials"}
    if route.hidden:
        return {"not_found"}
    if method == "GET" and route.post_only:
        if allowed:
            return {"method_not_allowed"}
        if role != ANONYMOUS:
            # require_POST may answer before the permission check: 405 tells nothing either.
            return {"forbidden", "not_found", "method_not_allowed"}
    if allowed:
        return {"ok", "redirect"}
    if role == ANONYMOUS:
        return {"login"}
    return {"forbidden", "not_found"}


def request(client, method, url, route, org):
    if method == "GET":
        return client.get(url)
    return client.post(url, route.post(org))


@pytest.mark.sweep
@pytest.mark.parametrize(("name", "variant", "role"), list(cases()))
def test_access_matrix(name, variant, role, world):
    route = MATRIX.get(name)
    if route is None:
        pytest.fail(
            f"The URL pattern {name!r} is not covered by the access matrix (tests/security/test_access_matrix.py)"
        )
    kwargs = route.variants[variant] if variant else route.kwargs
    client = client_for(role, world)
    methods = ["GET", "POST"] if route.post else ["GET"]

    # With B's ids: only the Région may use them.
    phases = [(world.b, role == REGION and role in route.reach)] if route.scoped else []
    # With A's ids (or none): whoever the matrix lets in.
    phases.append((world.a, role in route.reach))
    for org, allowed in phases:
        url = reverse(name, kwargs=kwargs(org))
        for method in methods:
            # A GET is not checked for changes: only POSTs are (below).
            before = stored_data() if method == "POST" else None
            response = request(client, method, url, route, org)
            got = outcome(response, url)
            want = expected(route, role, method, allowed=allowed)
            # No page or download may come back from a shared computer's cache after logout (issue 14, F5).
            assert "no-store" in response.get("Cache-Control", ""), f"{role} {method} {url}: cacheable"
            # An import naming B's action is read, reported and refused.
            imports_b = name == "imports:upload" and org is world.b and role in route.reach
            if imports_b:
                want = {"ok"}
            assert got in want, f"{role} {method} {url}: {got}, expected {sorted(want)}"
            if method == "POST":
                changed = stored_data() != before
                if not allowed or imports_b:
                    assert not changed, f"{role} {method} {url} was refused ({got}) but changed stored data"
                elif route.effect:
                    assert changed, f"{role} {method} {url} was allowed but changed nothing: the POST tests nothing"
            # (The import's report quotes the BDC number the user typed.)
            if got == "ok" and role in ORGANISME_ACCOUNTS | {TEMPORARY} and not imports_b:
                body = b"".join(response.streaming_content) if response.streaming else response.content
                assert B_MARKER.encode() not in body, f"{role} {method} {url} shows organisme B’s data"


def test_every_route_of_the_application_is_in_the_matrix():
    """A new route fails here, in `make test-fast` too, until the matrix says who may reach it."""
    assert set(walk_url_patterns()) - set(MATRIX) == set()


def test_every_matrix_entry_is_a_route_of_the_application():
    """A route removed or renamed must leave the matrix too, or it tests nothing."""
    assert set(MATRIX) - set(walk_url_patterns()) == set()


def test_the_walk_finds_routes_of_every_app():
    """The walk goes through every include(), not just the first level."""
    found = set(walk_url_patterns())
    assert {"accounts:login", "organisations:account_action", "region:training_invoice_status"} <= found


def test_an_import_naming_another_organismes_action_reads_as_an_unknown_bdc(world):
    """The refusal must not tell A's users that B's BDC number exists."""
    client = client_for(PRIMARY, world)

    def report(numero_bdc):
        line = f"{numero_bdc};{world.b.stagiaire.identifiant_france_travail};{world.b.periode.mois:%m/%Y};42"
        raw = f"numero_bdc;identifiant_france_travail;mois;heures\n{line}\n".encode()
        response = client.post("/imports/", {"fichier": SimpleUploadedFile("heures.csv", raw, "text/csv")})
        assert response.status_code == 200
        return read_page(response).text.replace(numero_bdc, "<BDC>")

    assert report(world.b.action.numero_bdc) == report("BDC-INEXISTANT")


@pytest.mark.parametrize("role", [PRIMARY, SECONDARY])
def test_the_quick_search_finds_nothing_of_organisme_b(role, world):
    client = client_for(role, world)
    b = world.b
    for query in [B_MARKER, B_MARKER.lower(), b.action.numero_bdc, b.stagiaire.identifiant_france_travail]:
        response = client.get(reverse("dashboard:search"), {"q": query})

        assert response.status_code == 200
        assert [group.total for group in response.context["groups"].values()] == [0] * len(response.context["groups"])
        assert B_MARKER.encode() not in response.content.replace(query.encode(), b""), query


def test_the_quick_search_finds_organisme_a_for_its_accounts(world):
    response = client_for(PRIMARY, world).get(reverse("dashboard:search"), {"q": "orga"})

    groups = response.context["groups"]
    assert world.a.action in groups["actions"].results
    assert world.a.stagiaire in groups["stagiaires"].results
