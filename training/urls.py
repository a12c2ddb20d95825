from django.urls import path

from training import bilan_views, demande_views, invoice_views, views

app_name = "training"
urlpatterns = [
    path("", views.action_list, name="action_list"),
    path("factures/", views.invoice_list, name="invoice_list"),
    path("factures/<int:pk>/", invoice_views.invoice_detail, name="invoice_detail"),
    path("factures/<int:pk>/corriger/", invoice_views.invoice_correct, name="invoice_correct"),
    path("demandes/", demande_views.demande_list, name="demande_list"),
    path("demandes/<int:pk>/", demande_views.demande_detail, name="demande_detail"),
    path("demandes/<int:pk>/reponse/", demande_views.demande_answer, name="demande_answer"),
    path("<int:pk>/demandes/nouvelle/", demande_views.demande_create, name="demande_create"),
    path("<int:pk>/", views.action_detail, name="action_detail"),
    path("<int:pk>/inscriptions/<int:inscription_pk>/", views.inscription_edit, name="inscription_edit"),
    path("<int:pk>/periodes/<int:period_pk>/", views.period_edit, name="period_edit"),
    path("<int:pk>/periodes/<int:period_pk>/valider/", views.period_validate, name="period_validate"),
    path("bilans/", bilan_views.bilan_list, name="bilan_list"),
    path(
        "<int:pk>/inscriptions/<int:inscription_pk>/bilans/<slug:kind>/",
        bilan_views.bilan_detail,
        name="bilan_detail",
    ),
    path(
        "<int:pk>/inscriptions/<int:inscription_pk>/bilans/<slug:kind>/saisie/",
        bilan_views.bilan_edit,
        name="bilan_edit",
    ),
    path(
        "<int:pk>/inscriptions/<int:inscription_pk>/bilans/<slug:kind>/rouvrir/",
        bilan_views.bilan_reopen,
        name="bilan_reopen",
    ),
    path(
        "<int:pk>/periodes/valider-completes/", bilan_views.periods_validate_complete, name="periods_validate_complete"
    ),
]
