from django.urls import path

from region import handover_views, views

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
