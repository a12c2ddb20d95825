from django.urls import include, path

urlpatterns = [
    path("", include("dashboard.urls")),
    path("", include("accounts.urls")),
    path("", include("core.urls")),
    path("", include("audit.urls")),
    path("organisme/", include("organisations.urls")),
    path("region/", include("region.urls")),
    path("actions/", include("training.urls")),
    path("imports/", include("training.import_urls")),
]
