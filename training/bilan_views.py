"""Bilans and questionnaires: the list each home-page sentence links to, the
form of one bilan, its reopening by the Région; and the validation of a BDC's
complete periods in one confirmed step."""

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.choices import flatten_choices
from django.views.decorators.http import require_POST

from accounts.permissions import is_region_agent
from core.conflicts import conflict_context, conflict_message, editor_name
from core.text import plural
from core.versioning import StaleEdit
from training import services
from training.bilans import SITUATION_KINDS, due_date, is_due, pending_bilan
from training.forms import BILAN_LIST_TITLES, BilanForm, BilanListFilterForm, PeriodValidationForm
from training.models import Bilan
from training.periods import complete_periods
from training.permissions import (
    bilan_inscriptions,
    get_bilan_inscription_or_404,
    get_editable_action_or_404,
    may_fill_bilan,
    may_reopen_bilan,
)

PAGE_SIZE = 25


def pending_bilans(actor, kind, today):
    """The inscriptions whose bilan of `kind` waits for `actor`: the list of the
    home page's sentence, filtered by the rule its count uses."""
    drafts = Bilan.objects.filter(inscription=OuterRef("pk"), kind=kind)
    return (
        bilan_inscriptions(actor)
        .filter(pending_bilan(kind, today))
        .annotate(has_draft=Exists(drafts))
        .select_related("stagiaire", "action__organisme")
        .order_by("action__numero_bdc", "stagiaire__nom", "stagiaire__prenom", "pk")
    )


def bilan_list(request):
    filters = BilanListFilterForm(request.GET or {"type": "situation_sortie"})
    # A stale or altered link shows the first list rather than an error.
    kind = filters.cleaned_data["type"] if filters.is_valid() else "situation_sortie"
    today = timezone.localdate()
    page = Paginator(pending_bilans(request.user, kind, today), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "training/bilans/bilan_list.html",
        {
            "title": BILAN_LIST_TITLES[kind],
            "kind": kind,
            "is_situation": kind in SITUATION_KINDS,
            "filters": filters,
            "page": page,
            "show_organisme": is_region_agent(request.user),
            "may_fill": not is_region_agent(request.user),
        },
    )


def _kind_or_404(kind):
    if kind not in Bilan.Kind.values:
        raise Http404("type de bilan inconnu")
    return Bilan.Kind(kind)


def _bilan_title(kind, inscription):
    return f"{kind.label} de {inscription.stagiaire}"


def _bilan_of(request, pk, inscription_pk, kind):
    kind = _kind_or_404(kind)
    inscription = get_bilan_inscription_or_404(request.user, pk, inscription_pk)
    bilan = Bilan.objects.filter(inscription=inscription, kind=kind).select_related("updated_by").first()
    return kind, inscription, bilan


def _editable(bilan, kind, inscription, today):
    """A bilan the organisme may still fill: due (or started) and not validated."""
    if bilan:
        return not bilan.is_validated
    return is_due(kind, inscription.date_sortie, today)


def bilan_detail(request, pk, inscription_pk, kind):
    """A bilan as it stands, for whoever may see its action: read-only."""
    kind, inscription, bilan = _bilan_of(request, pk, inscription_pk, kind)
    editable = may_fill_bilan(request.user, inscription) and _editable(bilan, kind, inscription, timezone.localdate())
    form = BilanForm(kind=kind)
    return render(
        request,
        "training/bilans/bilan_detail.html",
        {
            "action": inscription.action,
            "inscription": inscription,
            "kind": kind,
            "bilan": bilan,
            "title": _bilan_title(kind, inscription),
            "editable": editable,
            "due_on": due_date(kind, inscription.date_sortie) if inscription.date_sortie else None,
            "may_reopen": may_reopen_bilan(request.user, bilan),
            "read_only_values": _read_only_values(form, bilan) if bilan else [],
        },
    )


def bilan_edit(request, pk, inscription_pk, kind):
    kind, inscription, bilan = _bilan_of(request, pk, inscription_pk, kind)
    if not may_fill_bilan(request.user, inscription):
        raise PermissionDenied("saisie_organisme")
    action = inscription.action
    detail_url = reverse("training:bilan_detail", args=[action.pk, inscription.pk, kind.value])
    if not _editable(bilan, kind, inscription, timezone.localdate()):
        if request.method == "POST":
            messages.info(request, "Ce bilan ne peut pas être modifié.")
        return redirect(detail_url)
    initial = BilanForm.stored_values(kind, bilan) | {"version": bilan.version if bilan else 0}
    form = BilanForm(request.POST if request.method == "POST" else None, initial=initial, kind=kind)
    context = {}
    validating = "valider" in request.POST
    if request.method == "POST" and form.is_valid():
        save = services.validate_bilan if validating else services.save_bilan
        try:
            save(
                inscription,
                kind=kind,
                based_on_version=form.cleaned_data["version"],
                data=form.to_data(),
                acting_account=request.user,
            )
        except ValidationError as error:
            form.add_errors(error.message_dict)
        except services.BilanAlreadyValidated:
            messages.info(request, "Ce bilan est validé : seule la Région peut le rouvrir.")
            return redirect(detail_url)
        except StaleEdit as stale:
            current = Bilan.objects.select_related("updated_by").get(pk=stale.current.pk)
            if current.is_validated:
                messages.error(request, f"{conflict_message(current)} Ce bilan a été validé entre-temps.")
                return redirect(detail_url)
            context = conflict_context(form, current, BilanForm.stored_values(kind, current))
        else:
            done = "validé" if validating else "enregistré en brouillon"
            messages.success(request, f"{kind.label} de {inscription.stagiaire} : {done}.")
            return redirect(f"{reverse('training:action_detail', args=[action.pk])}#bilans")
    return render(
        request,
        "training/bilans/bilan_form.html",
        {"action": action, "inscription": inscription, "kind": kind, "title": _bilan_title(kind, inscription)}
        | {"form": form}
        | context,
    )


def _read_only_values(form, bilan):
    """(label, value) pairs of a bilan shown read-only."""
    values = BilanForm.stored_values(bilan.kind, bilan)
    shown = []
    for name, value in values.items():
        field = form.fields[name]
        if hasattr(field, "choices") and value:
            value = dict(flatten_choices(field.choices)).get(value, value)
        elif hasattr(value, "strftime"):
            value = f"{value:%d/%m/%Y}"
        shown.append((field.label, value or "—"))
    return shown


@require_POST
def bilan_reopen(request, pk, inscription_pk, kind):
    kind, _inscription, bilan = _bilan_of(request, pk, inscription_pk, kind)
    if not is_region_agent(request.user):
        raise PermissionDenied("region")
    if bilan is None:
        raise Http404("aucun bilan")
    form = PeriodValidationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "La réouverture n’a pas pu être prise en compte : rechargez la page.")
    else:
        try:
            services.reopen_bilan(bilan, based_on_version=form.cleaned_data["version"], acting_account=request.user)
        except services.BilanNotValidated:
            messages.info(request, "Ce bilan n’est pas validé : l’organisme peut déjà le modifier.")
        except StaleEdit as stale:
            messages.error(request, conflict_message(stale.current))
        else:
            messages.success(request, "Le bilan est rouvert : l’organisme peut de nouveau le modifier.")
    return redirect("training:bilan_detail", pk=pk, inscription_pk=inscription_pk, kind=kind.value)


_PERIOD_FIELD = re.compile(r"^periode_(\d{1,18})$")


def _confirmed_versions(post):
    """{period id: version} from the confirmation's hidden fields, ignoring anything malformed."""
    versions = {}
    for name, value in post.items():
        match = _PERIOD_FIELD.match(name)
        if match and value.isdigit() and len(value) < 10:
            versions[int(match.group(1))] = int(value)
    return versions


def periods_validate_complete(request, pk):
    action = get_editable_action_or_404(request.user, pk)
    today = timezone.localdate()
    if request.method == "POST":
        versions = _confirmed_versions(request.POST)
        if not versions:
            messages.error(request, "Aucune période n’a été confirmée : rechargez la page.")
            return redirect("training:action_detail", pk=action.pk)
        outcome = services.validate_complete_periods(
            action, versions=versions, today=today, acting_account=request.user
        )
        if outcome.validated:
            n = len(outcome.validated)
            messages.success(
                request,
                f"{n} {plural('période a été validée', 'périodes ont été validées', n)} : "
                + ", ".join(f"{periode.mois:%m/%Y}" for periode in outcome.validated)
                + ".",
            )
        for periode in outcome.left_out:
            messages.warning(request, _left_out_message(periode, versions[periode.pk]))
        return redirect(f"{reverse('training:action_detail', args=[action.pk])}#periodes")
    periods = complete_periods(action, today)
    if not periods:
        messages.info(request, "Aucune période complète n’attend de validation.")
        return redirect("training:action_detail", pk=action.pk)
    return render(
        request,
        "training/bilans/periods_confirm.html",
        {"action": action, "periods": periods, "title": "Valider les périodes complètes"},
    )


def _left_out_message(periode, confirmed_version):
    """Why a period was left out of the bulk validation, and what to do."""
    if periode.is_validated:
        reason = f"elle a été validée entre-temps par {periode.validated_by_name or 'un autre utilisateur'}"
    elif periode.version != confirmed_version:
        when = timezone.localtime(periode.updated_at)
        reason = f"elle a été modifiée par {editor_name(periode)} le {when:%d/%m/%Y} à {when:%H:%M}"
    else:
        reason = "il lui manque les heures d’un stagiaire"
    return f"La période {periode.mois:%m/%Y} n’a pas été validée : {reason}. Vérifiez-la avant de la valider."


def bdc_bilans_context(action, trainees, today, actor):
    """The BDC page's sections « Bilans de situation » and « Bilans de
    satisfaction et questionnaires de suivi »: each trainee's bilans, their
    state and the link to each. One query whatever the number of trainees."""
    stored = {(bilan.inscription_id, bilan.kind): bilan for bilan in Bilan.objects.filter(inscription__action=action)}

    def cell(inscription, kind):
        bilan = stored.get((inscription.pk, kind))
        due = is_due(kind, inscription.date_sortie, today)
        if bilan and bilan.is_validated:
            state, tone, verb = f"Validé le {bilan.validated_at:%d/%m/%Y}", "", "Consulter"
        elif bilan:
            state, tone, verb = "Brouillon", "attention", "Reprendre"
        elif due:
            state, tone, verb = "À saisir", "attention", "Saisir"
        elif inscription.date_sortie:
            state, tone, verb = f"À partir du {due_date(kind, inscription.date_sortie):%d/%m/%Y}", "", ""
        else:
            state, tone, verb = "Après la sortie", "", ""
        if verb and not may_fill_bilan(actor, inscription):
            verb = "Consulter" if bilan else ""
        view = "training:bilan_detail" if verb == "Consulter" else "training:bilan_edit"
        url = reverse(view, args=[action.pk, inscription.pk, kind]) if verb else ""
        return {"label": Bilan.Kind(kind).label, "state": state, "tone": tone, "verb": verb, "url": url}

    situation_kinds = [Bilan.Kind.SITUATION_SORTIE, Bilan.Kind.SITUATION_3_MOIS, Bilan.Kind.SITUATION_6_MOIS]
    questionnaire_kinds = [Bilan.Kind.SATISFACTION, Bilan.Kind.QUESTIONNAIRE_SUIVI]
    return {
        "situation_rows": [
            {"inscription": inscription, "cells": [cell(inscription, kind) for kind in situation_kinds]}
            for inscription in trainees
        ],
        "questionnaire_rows": [
            {"inscription": inscription, "cells": [cell(inscription, kind) for kind in questionnaire_kinds]}
            for inscription in trainees
        ],
    }
