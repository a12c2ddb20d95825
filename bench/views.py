"""The benchmark's ceiling: a view that does nothing, mounted only when
SIGMA_BENCH_VIEW is set (config/urls.py). Behind the same middleware as every
page, a logged-in request to it costs what Django and sigma's middleware cost."""

from django.http import HttpResponse


def bare_view(request):
    return HttpResponse(b"ok", content_type="text/plain")
