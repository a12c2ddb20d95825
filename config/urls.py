from django.conf import settings
from django.urls import URLPattern, URLResolver, include, path

from bench.views import bare_view

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("dashboard.urls")),
    path("", include("accounts.urls")),
    path("", include("core.urls")),
    path("", include("audit.urls")),
    path("organisme/", include("organisations.urls")),
    path("region/", include("region.urls")),
    path("region/courriels/", include("outbox.urls")),
    path("", include("access_reviews.urls")),
    path("actions/", include("training.urls")),
    path("imports/", include("training.import_urls")),
    path("", include("ops.urls")),
    path("proconnect/", include("proconnect.urls")),
    path("", include("passkeys.urls")),
]

if settings.SIGMA_BENCH_VIEW:
    urlpatterns.append(path("bench/bare/", bare_view))
