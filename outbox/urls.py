from django.urls import path

from outbox import views

app_name = "outbox"
urlpatterns = [
    path("", views.failed_emails, name="failed_emails"),
    path("<int:pk>/renvoyer/", views.resend, name="resend"),
]
