from django.urls import path

from audit import views

app_name = "audit"
urlpatterns = [
    path("organisme/historique/", views.organisme_history, name="organisme_history"),
    path("region/historique/", views.region_history, name="region_history"),
    path("region/historique/export.csv", views.region_history_csv, name="region_history_csv"),
]
