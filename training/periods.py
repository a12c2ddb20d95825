"""Which declaration periods are complete: pending, with the hours of every
trainee present during the month. « Valider les périodes complètes » on the
BDC page validates these in one step."""

import datetime

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


def complete_periods(action: ActionFormation, today: datetime.date) -> list[PeriodeDeclaration]:
    """The action's complete periods, in month order: three queries whatever their number."""
    trainees = list(action.inscriptions.filter(stagiaire__isnull=False))
    declared = set(DeclarationHeures.objects.filter(periode__action=action).values_list("periode_id", "inscription_id"))
    return [
        periode
        for periode in action.periodes.pending(today).order_by("mois")
        if is_complete(periode, trainees, declared)
    ]
