from django.urls import path

from passkeys import views

app_name = "passkeys"
urlpatterns = [
    path("mon-compte/cles-d-acces/", views.passkey_list, name="list"),
    path("mon-compte/cles-d-acces/ajout/", views.add, name="add"),
    path("mon-compte/cles-d-acces/ajout/options/", views.registration_options, name="registration_options"),
    path("mon-compte/cles-d-acces/<int:pk>/renommer/", views.rename, name="rename"),
    path("mon-compte/cles-d-acces/<int:pk>/suppression/", views.remove, name="remove"),
    path("mon-compte/confirmation/cle-d-acces/", views.confirm, name="confirm"),
    path("mon-compte/confirmation/cle-d-acces/options/", views.confirmation_options, name="confirmation_options"),
    path("connexion/cle-d-acces/", views.sign_in, name="sign_in"),
    path("connexion/cle-d-acces/options/", views.sign_in_options, name="sign_in_options"),
]
