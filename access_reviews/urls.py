from django.urls import path

from access_reviews import views

app_name = "access_reviews"
urlpatterns = [
    path("organisme/revue-des-comptes/", views.review, name="review"),
    path("region/revues-des-comptes/", views.overdue_reviews, name="overdue"),
]
