from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.login_view, name="login"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("generation-mot-de-passe/", views.password_generation, name="password_generation"),
    path("identifiant-oublie/", views.identifiant_reminder, name="identifiant_reminder"),
    path("acces/<str:token>/", views.password_link, name="password_link"),
    path("acces/", views.password_link_confirm, name="password_link_confirm"),
    path("mon-compte/modifications/", views.credentials, name="credentials"),
]
