from django.urls import path

from organisations import views

app_name = "organisations"
urlpatterns = [
    path("fiche/", views.organisme_detail, name="organisme_detail"),
    path("fiche/double-authentification/", views.two_factor_requirement, name="two_factor_requirement"),
    path("comptes/", views.account_list, name="account_list"),
    path("comptes/export.csv", views.account_export, name="account_export"),
    path("comptes/fichier/", views.account_import, name="account_import"),
    path("comptes/fichier/confirmation/", views.account_import_confirm, name="account_import_confirm"),
    path("comptes/nouveau/", views.account_create, name="account_create"),
    path("comptes/<int:pk>/modifier/", views.account_update, name="account_update"),
    path(
        "comptes/<int:pk>/proposer-compte-principal/",
        views.handover_propose,
        name="handover_propose",
    ),
    path("comptes/proposition/<int:proposal_pk>/annuler/", views.handover_cancel, name="handover_cancel"),
    path("comptes/<int:pk>/<slug:action>/", views.account_action, name="account_action"),
]
