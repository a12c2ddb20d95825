from django.urls import path

from region import views

app_name = "region"
urlpatterns = [
    path("", views.search, name="search"),
]
