"""Bilans and questionnaires: when each is due, what is pending, and what the
satisfaction and follow-up questionnaires ask.

A bilan is due for an inscription whose trainee has left the action, once
its delay after the exit has passed (README, « Bilans et questionnaires »).
It is pending while due and not validated, whether nobody has started it or
a draft is saved. `pending_bilan` is the one rule: the home page counts with
it and the list its sentence links to shows what it selects.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from training.models import Bilan

Kind = Bilan.Kind

SITUATION_KINDS = frozenset({Kind.SITUATION_SORTIE, Kind.SITUATION_3_MOIS, Kind.SITUATION_6_MOIS})
QUESTIONNAIRE_KINDS = frozenset({Kind.SATISFACTION, Kind.QUESTIONNAIRE_SUIVI})

# Months after the trainee's exit from which each bilan is due.
DUE_AFTER_MONTHS = {
    Kind.SITUATION_SORTIE: 0,
    Kind.SATISFACTION: 0,
    Kind.SITUATION_3_MOIS: 3,
    Kind.SITUATION_6_MOIS: 6,
    Kind.QUESTIONNAIRE_SUIVI: 6,
}


def months_earlier(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` earlier, or that month's last day (31/08 → 31/05, 31/05 → 28/02)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise AssertionError("every month has 28 days")


def latest_due_exit(kind: str, today: datetime.date) -> datetime.date:
    """The latest exit date for which a bilan of `kind` is due on `today`."""
    return months_earlier(today, DUE_AFTER_MONTHS[Kind(kind)])


def due_date(kind: str, exit_date: datetime.date) -> datetime.date:
    """The day a bilan of `kind` becomes due for a trainee who left on `exit_date`."""
    months = DUE_AFTER_MONTHS[Kind(kind)]
    year, month = divmod(exit_date.year * 12 + exit_date.month - 1 + months, 12)
    for candidate in (exit_date.day, 30, 29, 28):
        try:
            return exit_date.replace(year=year, month=month + 1, day=candidate)
        except ValueError:
            continue
    raise AssertionError("every month has 28 days")


def is_due(kind: str, exit_date: datetime.date | None, today: datetime.date) -> bool:
    return exit_date is not None and exit_date <= latest_due_exit(kind, today)


def pending_bilan(kind: str, today: datetime.date) -> Q:
    """The inscriptions whose bilan of `kind` is due on `today` and not
    validated: the home page's count and the bilans list both filter with it."""
    validated = Bilan.objects.filter(inscription=OuterRef("pk"), kind=kind, validated_at__isnull=False)
    return Q(stagiaire__isnull=False, date_sortie__lte=latest_due_exit(kind, today)) & Q(~Exists(validated))


# The questionnaires: each question is answered on a scale of 1 to 4.


@dataclass(frozen=True)
class Question:
    code: str
    text: str


SATISFACTION_SCALE = [
    ("1", "Pas du tout satisfait"),
    ("2", "Peu satisfait"),
    ("3", "Satisfait"),
    ("4", "Très satisfait"),
]
FOLLOW_UP_SCALE = [
    ("1", "Pas du tout"),
    ("2", "Plutôt non"),
    ("3", "Plutôt oui"),
    ("4", "Tout à fait"),
]

QUESTIONS = {
    Kind.SATISFACTION: [
        Question("contenu", "Le contenu de la formation"),
        Question("accompagnement", "L’accompagnement par les formateurs"),
        Question("organisation", "L’organisation (horaires, lieu, matériel)"),
        Question("objectifs", "L’atteinte de vos objectifs"),
    ],
    Kind.QUESTIONNAIRE_SUIVI: [
        Question("projet", "La formation vous a-t-elle aidé dans votre projet professionnel ?"),
        Question("competences", "Utilisez-vous les compétences acquises pendant la formation ?"),
        Question("emploi_lien", "Votre emploi ou votre formation actuels sont-ils en lien avec la formation suivie ?"),
        Question("recommandation", "Recommanderiez-vous cette formation ?"),
    ],
}
SCALES = {Kind.SATISFACTION: SATISFACTION_SCALE, Kind.QUESTIONNAIRE_SUIVI: FOLLOW_UP_SCALE}


def missing_for_validation(kind: str, data: dict) -> dict[str, str]:
    """What a bilan needs before it is validated, as {field: French error}."""
    missing: dict[str, str] = {}
    if kind in SITUATION_KINDS:
        if not data.get("situation"):
            missing["situation"] = "Choisissez la situation du stagiaire pour valider le bilan."
        elif data["situation"] == "autre" and not data.get("situation_autre"):
            missing["situation_autre"] = "Précisez la situation « Autre » pour valider le bilan."
        if not data.get("date_situation"):
            missing["date_situation"] = "Indiquez la date à laquelle la situation était connue pour valider le bilan."
    else:
        answers = data.get("reponses") or {}
        for question in QUESTIONS[Kind(kind)]:
            if not answers.get(question.code):
                missing[f"q_{question.code}"] = "Choisissez une réponse pour valider le questionnaire."
    return missing
