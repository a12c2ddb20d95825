"""Actions de formation: the list, the invoices and each bon de commande (BDC)
page, where organisme accounts enter inscriptions and hours and validate periods."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.permissions import is_region_agent
from core.conflicts import conflict_context, conflict_message
from core.versioning import StaleEdit
from training import bilan_views, presence, services
from training.forms import ActionFilterForm, HoursForm, InscriptionForm, InvoiceFilterForm, PeriodValidationForm
from training.models import REJECTION_WINDOW, ActionState, DeclarationHeures, Facture
from training.periods import complete_among
from training.permissions import (
    get_editable_action_or_404,
    get_visible_action_or_404,
    may_correct_invoice,
    may_edit_action,
    may_file_demande,
    visible_actions,
)
from training.selectors import filter_actions

PAGE_SIZE = 25
INVOICE_LIST_TITLES = {
    Facture.Status.EN_ATTENTE_VALIDATION: "Factures en attente de validation",
    Facture.Status.REJETEE: f"Factures rejetées dans les {REJECTION_WINDOW.days} derniers jours",
    Facture.Status.EN_ATTENTE_EMISSION: "Factures en attente d’émission",
    Facture.Status.SUSPENDUE: "Factures suspendues",
    Facture.Status.PAYEE: "Factures payées",
}


def _valid_filters(form):
    """The filters the user set, ignoring any invalid one (a stale link)."""
    form.is_valid()
    return {name: form.cleaned_data.get(name, "") for name in form.fields}


def action_list(request):
    filters = ActionFilterForm(request.GET)
    today = timezone.localdate()
    actions = filter_actions(visible_actions(request.user), today=today, **_valid_filters(filters))
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    for action in page:
        state = ActionState(action.state(today))
        action.state_label = state.label
        action.overdue = state == ActionState.EN_RETARD_FERMETURE
    return render(
        request,
        "training/action_list.html",
        {
            "filters": filters,
            "page": page,
            "show_organisme": is_region_agent(request.user),
        },
    )


def invoice_list(request):
    filters = InvoiceFilterForm(request.GET)
    statut = _valid_filters(filters)["statut"]
    invoices = Facture.objects.filter(action__in=visible_actions(request.user)).select_related("action__organisme")
    title = "Factures"
    if statut:
        # What MA FACTURATION counts under this status, by the same condition.
        invoices = invoices.in_list_state(statut, timezone.localdate())
        title = INVOICE_LIST_TITLES[statut]
    page = Paginator(invoices.order_by("action__numero_bdc", "numero"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "training/invoice_list.html",
        {
            "title": title,
            "filtered": bool(statut),
            "filters": filters,
            "page": page,
            "correctable": {invoice.pk for invoice in page if may_correct_invoice(request.user, invoice)},
            "show_organisme": is_region_agent(request.user),
        },
    )


def action_detail(request, pk):
    action = get_visible_action_or_404(request.user, pk)
    inscriptions = list(action.inscriptions.select_related("stagiaire"))
    trainees = [inscription for inscription in inscriptions if not inscription.awaiting_entry]
    today = timezone.localdate()
    periods = list(action.periodes.with_pending(today))
    hours = {
        (declaration.periode_id, declaration.inscription_id): declaration.heures
        for declaration in DeclarationHeures.objects.filter(periode__action=action)
    }
    may_edit = may_edit_action(request.user, action)
    # « Valider les périodes complètes »: counted from what the page has read.
    pending = [periode for periode in periods if periode.is_pending]
    complete = complete_among(pending, trainees, set(hours)) if may_edit else []
    rows = [
        {
            "periode": periode,
            "pending": periode.is_pending,
            # (trainee, hours) pairs: each cell names its trainee when the table turns into cards.
            "hours": [(trainee, hours.get((periode.pk, trainee.pk))) for trainee in trainees],
        }
        for periode in periods
    ]
    return render(
        request,
        "training/action_detail.html",
        {
            "action": action,
            "state": ActionState(action.state(today)).label,
            "inscriptions": inscriptions,
            "trainees": trainees,
            "period_rows": rows,
            "may_edit": may_edit,
            "complete_periods": len(complete),
            "may_file_demande": may_file_demande(request.user, action),
            "demandes": action.demandes.order_by("-created_at", "-pk"),
            "other_viewers": [
                "Également consulté par %(name)s depuis %(time)s" % {"name": name, "time": _hour(since)}
                for name, since in presence.note_viewer(action, request.user)
            ],
        }
        | bilan_views.bdc_bilans_context(action, trainees, today, request.user),
    )


def _hour(moment):
    """ "10 h 02", as French text gives a time of day."""
    moment = timezone.localtime(moment)
    return f"{moment.hour} h {moment:%M}"


def _stored_inscription_values(inscription):
    stagiaire = inscription.stagiaire
    return {
        "nom": stagiaire.nom if stagiaire else "",
        "prenom": stagiaire.prenom if stagiaire else "",
        "date_naissance": stagiaire.date_naissance if stagiaire else None,
        "identifiant_france_travail": stagiaire.identifiant_france_travail if stagiaire else "",
        "date_entree": inscription.date_entree,
        "date_sortie": inscription.date_sortie,
    }


def inscription_edit(request, pk, inscription_pk):
    action = get_editable_action_or_404(request.user, pk)
    inscription = get_object_or_404(action.inscriptions.select_related("stagiaire"), pk=inscription_pk)
    initial = _stored_inscription_values(inscription) | {"version": inscription.version}
    form = InscriptionForm(request.POST if request.method == "POST" else None, initial=initial, action=action)
    context = {}
    if request.method == "POST" and form.is_valid():
        try:
            services.save_inscription(
                inscription,
                based_on_version=form.cleaned_data["version"],
                data=form.cleaned_data,
                acting_account=request.user,
            )
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                for message in field_errors:
                    form.add_error(field, message)
        except StaleEdit:
            current = action.inscriptions.select_related("stagiaire", "updated_by").get(pk=inscription.pk)
            context = conflict_context(form, current, _stored_inscription_values(current))
        else:
            messages.success(request, "L’inscription a bien été enregistrée.")
            return redirect("training:action_detail", pk=action.pk)
    title = "Saisie de l’inscription" if inscription.awaiting_entry else "Correction de l’inscription"
    return render(request, "training/edit_form.html", {"action": action, "form": form, "title": title} | context)


def _trainees(action):
    return action.inscriptions.filter(stagiaire__isnull=False).select_related("stagiaire")


def _stored_hours_values(periode, form):
    stored = services.stored_hours(periode)
    return {HoursForm.field_name(inscription): stored.get(inscription.pk) for inscription in form.inscriptions}


def period_edit(request, pk, period_pk):
    action = get_editable_action_or_404(request.user, pk)
    periode = get_object_or_404(action.periodes, pk=period_pk)
    trainees = _trainees(action)
    form = HoursForm(request.POST if request.method == "POST" else None, inscriptions=trainees)
    form.initial = _stored_hours_values(periode, form) | {"version": periode.version}
    context = {}
    if request.method == "POST" and form.is_valid():
        try:
            services.save_hours(
                periode,
                based_on_version=form.cleaned_data["version"],
                hours=form.hours_by_inscription(),
                acting_account=request.user,
            )
        except services.PeriodAlreadyValidated:
            messages.error(request, "Cette période est validée : ses heures ne peuvent plus être modifiées.")
            return redirect("training:action_detail", pk=action.pk)
        except StaleEdit:
            current = action.periodes.select_related("updated_by").get(pk=periode.pk)
            if current.is_validated:
                messages.error(request, f"{conflict_message(current)} {'Cette période a été validée entre-temps.'}")
                return redirect("training:action_detail", pk=action.pk)
            context = conflict_context(form, current, _stored_hours_values(current, form))
        else:
            messages.success(
                request,
                "Les heures de la période %(mois)s ont bien été enregistrées." % {"mois": f"{periode.mois:%m/%Y}"},
            )
            return redirect("training:action_detail", pk=action.pk)
    if periode.is_validated and not context:
        messages.info(request, "Cette période est validée : ses heures ne peuvent plus être modifiées.")
        return redirect("training:action_detail", pk=action.pk)
    title = "Heures réalisées en %(mois)s" % {"mois": f"{periode.mois:%m/%Y}"}
    return render(request, "training/edit_form.html", {"action": action, "form": form, "title": title} | context)


@require_POST
def period_validate(request, pk, period_pk):
    action = get_editable_action_or_404(request.user, pk)
    periode = get_object_or_404(action.periodes, pk=period_pk)
    form = PeriodValidationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "La validation n’a pas pu être prise en compte : rechargez la page.")
    elif periode.is_validated:
        messages.info(request, "Cette période est déjà validée.")
    else:
        try:
            services.validate_period(
                periode, based_on_version=form.cleaned_data["version"], acting_account=request.user
            )
        except StaleEdit:
            current = action.periodes.select_related("updated_by").get(pk=periode.pk)
            if current.is_validated:
                note = "Cette période a été validée entre-temps."
            else:
                note = "Vérifiez les heures de la période avant de la valider."
            messages.error(request, f"{conflict_message(current)} {note}")
        else:
            messages.success(request, "La période %(mois)s a bien été validée." % {"mois": f"{periode.mois:%m/%Y}"})
    return redirect("training:action_detail", pk=action.pk)
