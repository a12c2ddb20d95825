from django.urls import path

from dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("recherche/", views.search, name="search"),
    path("proposition-compte-principal/<int:pk>/accepter/", views.handover_accept, name="handover_accept"),
    path("proposition-compte-principal/<int:pk>/refuser/", views.handover_decline, name="handover_decline"),
    path("proposition-compte-principal/<int:pk>/annuler/", views.handover_cancel, name="handover_cancel"),
]
