import datetime
from collections.abc import Callable
from decimal import Decimal
from email import policy
from email.parser import BytesParser
from functools import wraps
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from training.models import Programme


@login_not_required
def contacts(request: HttpRequest) -> HttpResponse:
    """Contacts et assistance: the last section of the guide."""
    context = {
        "region_email": settings.SIGMA_REGION_EMAIL,
        "programmes": [(programme.label, programme.contact_email) for programme in Programme],
    }
    return render(request, "core/contacts.html", context)


@login_not_required
def accessibility(request: HttpRequest) -> HttpResponse:
    """The déclaration d'accessibilité that French law requires (article 47 of loi n° 2005-102)."""
    return render(request, "core/accessibility.html")


def development_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.DEV_MAIL_VIEWER:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _mail_files() -> list[Path]:
    folder = settings.MAIL_FOLDER
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.eml"), reverse=True)


def _read_mail(path: Path) -> dict[str, Any]:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    body = message.get_body(preferencelist=("plain",))
    return {
        "name": path.name,
        "subject": message["subject"],
        "to": message["to"],
        "date": message["date"],
        "text": body.get_content() if body else "",
    }


@login_not_required
@development_only
def dev_mail_list(request: HttpRequest) -> HttpResponse:
    """Development only: the e-mails sigma has "sent", newest first."""
    return render(request, "core/dev_mail_list.html", {"mails": [_read_mail(p) for p in _mail_files()]})


@login_not_required
@development_only
def dev_mail_detail(request: HttpRequest, name: str) -> HttpResponse:
    path = next((p for p in _mail_files() if p.name == name), None)
    if path is None:
        raise Http404
    return render(request, "core/dev_mail_detail.html", {"mail": _read_mail(path)})


class _SampleForm(forms.Form):
    """The style guide's form: one field of each kind, shown with its errors."""

    nom = forms.CharField(label="Nom d\u2019usage", help_text="En majuscules, comme sur la pièce d\u2019identité.")
    courriel = forms.EmailField(label="Courriel")
    programme = forms.ChoiceField(label="Programme", choices=[("", "Tous"), ("qualif", "Qualif Pro")])
    accord = forms.BooleanField(label="J\u2019ai lu les conditions d\u2019utilisation", required=False)


@login_not_required
def dev_styleguide(request: HttpRequest) -> HttpResponse:
    """Development only: every component of sigma's design system in each of its states."""
    if not settings.DEBUG:
        raise Http404
    return render(
        request,
        "core/dev_styleguide.html",
        {
            "form": _SampleForm({"nom": "", "courriel": "pas-un-courriel", "programme": "qualif"}),
            "page": Paginator(range(60), 20).get_page(2),
            "amounts": [Decimal("16800"), Decimal("950.5"), Decimal("1234567.89")],
            "sample_date": datetime.date(2026, 12, 2),
        },
    )
