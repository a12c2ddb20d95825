"""Every screen of sigma on the demo data (`load_demo`), per role: what the
page-level tests open and `make screenshots` captures. Reads the database, so it
runs where the demo data was loaded."""

from accounts.models import User
from organisations.models import Organisme
from passkeys.models import Passkey
from training.models import ActionFormation, Bilan, DemandeModification, Facture, PeriodeDeclaration

DEMO_PASSWORD = "Demo-Sigma-2026!"
PRIMARY = "66bdj5zw4x"
REGION_AGENT = "agent.region"
DEMO_SIRET = "12345678913000"
DEMO_BDC = "BDC-2026-PRF23-002"
# The demo action whose trainees left long enough ago for every bilan to be due.
DEMO_ENDED_BDC = "BDC-2025-PRF23-005"
GUIDE_BDC = "BDC-2022-PRF23-001"


def bilan_screens(*, validated_only=False) -> list[tuple[str, str]]:
    """The bilans pages on the demo's ended action: a draft of each form, a validated bilan."""
    bilans = Bilan.objects.filter(inscription__action__numero_bdc=DEMO_ENDED_BDC).order_by("pk")
    screens = []
    for name, kind, validated in [
        ("bilan-situation-saisie", Bilan.Kind.SITUATION_SORTIE, False),
        ("questionnaire-suivi-saisie", Bilan.Kind.QUESTIONNAIRE_SUIVI, False),
        ("bilan-satisfaction-saisie", Bilan.Kind.SATISFACTION, False),
        ("bilan-situation-valide", Bilan.Kind.SITUATION_3_MOIS, True),
    ]:
        if validated_only and not validated:
            continue
        bilan = bilans.filter(kind=kind, validated_at__isnull=not validated).first()
        if bilan is not None:
            path = f"/actions/{bilan.inscription.action_id}/inscriptions/{bilan.inscription_id}/bilans/{kind}/"
            screens.append((name, path if validated else f"{path}saisie/"))
    return screens


def anonymous_screens() -> list[tuple[str, str]]:
    return [
        ("connexion", "/connexion/"),
        ("generation-mot-de-passe", "/generation-mot-de-passe/"),
        ("identifiant-oublie", "/identifiant-oublie/"),
        ("contacts", "/contacts/"),
        ("accessibilite", "/accessibilite/"),
        ("page-introuvable", "/page-qui-n-existe-pas/"),
    ]


def organisme_screens() -> list[tuple[str, str]]:
    """(name, path) of the pages the demo organisme's compte principal opens."""
    organisme = Organisme.objects.get(siret=DEMO_SIRET)
    colleague = organisme.accounts.filter(kind=User.Kind.SECONDARY).order_by("pk").first()
    action = ActionFormation.objects.get(numero_bdc=DEMO_BDC)
    inscription = action.inscriptions.order_by("pk").first()
    period = PeriodeDeclaration.objects.filter(action=action, validated_at__isnull=True).order_by("mois").first()
    rejected = Facture.objects.get(action=action, status=Facture.Status.REJETEE)
    answered = DemandeModification.objects.filter(action=action, status=DemandeModification.Status.ACCEPTEE).get()
    screens = [
        ("accueil", "/"),
        ("recherche-rapide-organisme", "/recherche/"),
        # Its actions' BDC numbers and its trainees' identifiants (load_demo) hold "PRF23".
        ("recherche-rapide-organisme-resultats", "/recherche/?q=prf23"),
        ("fiche-organisme", "/organisme/fiche/"),
        ("comptes-utilisateurs", "/organisme/comptes/"),
        ("comptes-utilisateurs-filtres", "/organisme/comptes/?statut=actif&tri=-derniere_connexion"),
        ("creation-comptes-fichier", "/organisme/comptes/fichier/"),
        ("creation-compte", "/organisme/comptes/nouveau/"),
        ("modification-compte", f"/organisme/comptes/{colleague.pk}/modifier/"),
        ("desactivation-compte", f"/organisme/comptes/{colleague.pk}/desactiver/"),
        ("proposition-compte-principal", f"/organisme/comptes/{colleague.pk}/proposer-compte-principal/"),
        ("revue-des-comptes", "/organisme/revue-des-comptes/"),
        ("historique-organisme", "/organisme/historique/"),
        ("mon-compte", "/mon-compte/modifications/"),
        ("mes-coordonnees", "/mon-compte/coordonnees/"),
        ("double-authentification", "/mon-compte/double-authentification/"),
        ("mes-sessions", "/mon-compte/sessions/"),
        ("activation-double-authentification", "/mon-compte/double-authentification/activation/"),
        ("cles-d-acces", "/mon-compte/cles-d-acces/"),
        ("ajout-cle-d-acces", "/mon-compte/cles-d-acces/ajout/"),
        ("actions-de-formation", "/actions/"),
        ("bon-de-commande", f"/actions/{action.pk}/"),
        ("saisie-inscription", f"/actions/{action.pk}/inscriptions/{inscription.pk}/"),
        ("factures", "/actions/factures/"),
        ("factures-rejetees", "/actions/factures/?statut=rejetee"),
        ("facture", f"/actions/factures/{rejected.pk}/"),
        ("correction-facture", f"/actions/factures/{rejected.pk}/corriger/"),
        ("demandes-de-modification", "/actions/demandes/"),
        ("demande-de-modification", f"/actions/demandes/{answered.pk}/"),
        ("nouvelle-demande-de-modification", f"/actions/{action.pk}/demandes/nouvelle/"),
        ("bilans-en-attente", "/actions/bilans/?type=situation_sortie"),
        ("questionnaires-en-attente", "/actions/bilans/?type=questionnaire_suivi"),
        *bilan_screens(),
        (
            "validation-periodes-completes",
            f"/actions/{ActionFormation.objects.get(numero_bdc=GUIDE_BDC).pk}/periodes/valider-completes/",
        ),
        ("imports", "/imports/"),
        ("acces-refuse-organisme", "/region/"),
    ]
    if period is not None:
        screens.append(("saisie-heures", f"/actions/{action.pk}/periodes/{period.pk}/"))
    return screens


def region_screens() -> list[tuple[str, str]]:
    """(name, path) of the pages a Région agent opens on the demo data."""
    organisme = Organisme.objects.get(siret=DEMO_SIRET)
    action = ActionFormation.objects.get(numero_bdc=DEMO_BDC)
    colleague = organisme.accounts.filter(kind=User.Kind.SECONDARY).order_by("pk").first()
    rejected = Facture.objects.get(action=action, status=Facture.Status.REJETEE)
    pending = DemandeModification.objects.filter(action=action).pending().get()
    passkey = Passkey.objects.get(user__identifiant=REGION_AGENT)
    return [
        ("accueil-region", "/"),
        ("recherche-rapide", "/region/"),
        ("recherche-resultats", "/region/?q=organisme+test"),
        ("organisme-region", f"/region/organismes/{organisme.pk}/"),
        ("creation-organisme", "/region/organismes/nouveau/"),
        ("creation-compte-region", f"/region/organismes/{organisme.pk}/comptes/nouveau/"),
        ("modification-compte-region", f"/region/comptes/{colleague.pk}/modifier/"),
        ("transfert-compte-principal", f"/region/organismes/{organisme.pk}/transfert/"),
        ("actions-organisme-region", f"/region/organismes/{organisme.pk}/actions/"),
        ("creation-action-region", f"/region/organismes/{organisme.pk}/actions/nouvelle/"),
        ("action-region", f"/region/actions/{action.pk}/"),
        ("modification-action-region", f"/region/actions/{action.pk}/modifier/"),
        ("courriels-en-echec", "/region/courriels/"),
        ("revues-en-retard", "/region/revues-des-comptes/"),
        ("historique-region", "/region/historique/"),
        ("actions-de-formation-region", "/actions/"),
        ("factures-region", "/actions/factures/"),
        ("facture-region", f"/actions/factures/{rejected.pk}/"),
        ("demandes-en-attente-region", "/actions/demandes/?statut=en_attente"),
        ("traitement-demande-region", f"/actions/demandes/{pending.pk}/"),
        ("bilans-en-attente-region", "/actions/bilans/?type=satisfaction"),
        *[(f"{name}-region", path) for name, path in bilan_screens(validated_only=True)],
        ("mon-compte-region", "/mon-compte/modifications/"),
        ("mes-coordonnees-region", "/mon-compte/coordonnees/"),
        ("double-authentification-region", "/mon-compte/double-authentification/"),
        ("cles-d-acces-region", "/mon-compte/cles-d-acces/"),
        ("renommage-cle-d-acces", f"/mon-compte/cles-d-acces/{passkey.pk}/renommer/"),
        ("suppression-cle-d-acces", f"/mon-compte/cles-d-acces/{passkey.pk}/suppression/"),
        ("acces-refuse-region", "/imports/"),
    ]
