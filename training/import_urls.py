from django.urls import path

from training import import_views

app_name = "imports"
urlpatterns = [
    path("", import_views.upload, name="upload"),
    path("exemple/<slug:kind>.csv", import_views.example, name="example"),
]
