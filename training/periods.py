"""Which declaration periods are complete: pending, with the hours of every
trainee present during the month. « Valider les périodes complètes » on the
BDC page validates these in one step."""

import datetime
from collections.abc import Iterable

from training.models import ActionFormation, DeclarationHeures, PeriodeDeclaration


def _month_end(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)


def is_complete(periode: PeriodeDeclaration, trainees: list, declared: set[tuple[int, int]]) -> bool:
    """`trainees`: the action's inscriptions with a trainee; `declared`: the
    (period id, inscription id) pairs that have hours."""
    for inscription in trainees:
        entered = inscription.date_entree is None or inscription.date_entree <= _month_end(periode.mois)
        still_there = inscription.date_sortie is None or inscription.date_sortie >= periode.mois
        if entered and still_there and (periode.pk, inscription.pk) not in declared:
            return False
    return True


def complete_among(
    pending_periods: Iterable[PeriodeDeclaration], trainees: list, declared: set[tuple[int, int]]
) -> list[PeriodeDeclaration]:
    """The complete periods among `pending_periods`, from what a page has
    already read (the BDC page reads the periods, trainees and hours anyway)."""
    return [periode for periode in pending_periods if is_complete(periode, trainees, declared)]


def complete_periods(action: ActionFormation, today: datetime.date) -> list[PeriodeDeclaration]:
    """The action's complete periods, in month order: three queries whatever their number."""
    trainees = list(action.inscriptions.filter(stagiaire__isnull=False))
    declared = set(DeclarationHeures.objects.filter(periode__action=action).values_list("periode_id", "inscription_id"))
    return complete_among(action.periodes.pending(today).order_by("mois"), trainees, declared)
