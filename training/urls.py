from django.urls import path

from training import bilan_views, views

app_name = "training"
urlpatterns = [
    path("", views.action_list, name="action_list"),
    path("factures/", views.invoice_list, name="invoice_list"),
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
