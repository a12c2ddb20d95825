from django.urls import path

from region import handover_views, training_views, views

app_name = "region"
urlpatterns = [
    path("", views.search, name="search"),
    path("organismes/nouveau/", views.organisme_create, name="organisme_create"),
    path("organismes/<int:pk>/", views.organisme_detail, name="organisme_detail"),
    path("organismes/<int:organisme_pk>/transfert/", handover_views.hand_over, name="hand_over"),
    path("organismes/<int:organisme_pk>/comptes/nouveau/", views.account_create, name="account_create"),
    path("comptes/<int:pk>/modifier/", views.account_update, name="account_update"),
    path("comptes/<int:pk>/<slug:action>/", views.account_action, name="account_action"),
]

# The training the Region buys (region/training_views.py).
urlpatterns += [
    path("organismes/<int:organisme_pk>/actions/", training_views.action_list, name="training_action_list"),
    path(
        "organismes/<int:organisme_pk>/actions/nouvelle/", training_views.action_create, name="training_action_create"
    ),
    path("actions/<int:pk>/", training_views.action_detail, name="training_action_detail"),
    path("actions/<int:pk>/places/", training_views.announce_seats, name="training_announce_seats"),
    path("actions/<int:pk>/factures/", training_views.invoice_create, name="training_invoice_create"),
    path("factures/<int:pk>/statut/", training_views.invoice_status, name="training_invoice_status"),
    path("actions/<int:pk>/modifier/", training_views.action_update, name="training_action_update"),
    path("actions/<int:pk>/fermer/", training_views.action_close, name="training_action_close"),
    path("actions/<int:pk>/rouvrir/", training_views.action_reopen, name="training_action_reopen"),
]
