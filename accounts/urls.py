from django.urls import path

from accounts import two_factor_views, views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.login_view, name="login"),
    path("connexion/code/", views.login_code, name="login_code"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("generation-mot-de-passe/", views.password_generation, name="password_generation"),
    path("identifiant-oublie/", views.identifiant_reminder, name="identifiant_reminder"),
    path("acces/<str:token>/", views.password_link, name="password_link"),
    path("acces/", views.password_link_confirm, name="password_link_confirm"),
    path("mon-compte/modifications/", views.credentials, name="credentials"),
    path("mon-compte/coordonnees/", views.contact_details, name="contact_details"),
    path("mon-compte/coordonnees/annulation/", views.email_change_cancel, name="email_change_cancel"),
    path("mon-compte/coordonnees/confirmation/<str:token>/", views.email_change_link, name="email_change_link"),
    path("mon-compte/coordonnees/confirmation/", views.email_change_confirm, name="email_change_confirm"),
    path("mon-compte/confirmation/", views.reauthenticate, name="reauthenticate"),
    path("mon-compte/sessions/", views.session_list, name="sessions"),
    path("mon-compte/sessions/<int:pk>/fermeture/", views.session_end, name="session_end"),
    path("mon-compte/sessions/fermeture-des-autres/", views.sessions_end_others, name="sessions_end_others"),
    path("mon-compte/double-authentification/", two_factor_views.overview, name="two_factor"),
    path("mon-compte/double-authentification/activation/", two_factor_views.enrol, name="two_factor_enrol"),
    path(
        "mon-compte/double-authentification/codes-de-secours/",
        two_factor_views.regenerate,
        name="two_factor_regenerate",
    ),
    path("mon-compte/double-authentification/desactivation/", two_factor_views.disable, name="two_factor_disable"),
]
