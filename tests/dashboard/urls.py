"""URL confs for the home page tests: the filtered lists its counts link to are
built separately, so these stand in for them (or leave them out)."""

from django.http import HttpResponse
from django.urls import include, path

from config.urls import urlpatterns as sigma_urlpatterns


def list_stub(request):
    return HttpResponse()


without_training_lists = [pattern for pattern in sigma_urlpatterns if getattr(pattern, "namespace", None) != "training"]

urlpatterns = [
    *without_training_lists,
    path(
        "actions/",
        include(
            (
                [
                    path("", list_stub, name="action_list"),
                    path("factures/", list_stub, name="invoice_list"),
                    path("demandes/", list_stub, name="demande_list"),
                    path("bilans/", list_stub, name="bilan_list"),
                ],
                "training",
            )
        ),
    ),
]
