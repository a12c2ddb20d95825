from django.urls import path

from core import views

app_name = "core"
urlpatterns = [
    path("contacts/", views.contacts, name="contacts"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("dev/mail/", views.dev_mail_list, name="dev_mail_list"),
    path("dev/mail/<str:name>/", views.dev_mail_detail, name="dev_mail_detail"),
    path("dev/styleguide/", views.dev_styleguide, name="dev_styleguide"),
]
