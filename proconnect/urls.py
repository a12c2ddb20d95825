from django.urls import path

from proconnect import views

app_name = "proconnect"
urlpatterns = [
    path("connexion/", views.start, name="start"),
    path("retour/", views.callback, name="callback"),
    path("deconnexion/", views.logged_out, name="logged_out"),
    path("liaison/", views.link, name="link"),
    path("demande-acces/", views.access_request, name="access_request"),
    path("demandes/", views.requests, name="requests"),
    path("demandes/<int:pk>/<slug:answer>/", views.answer, name="answer"),
    path("mon-compte/", views.account, name="account"),
]
