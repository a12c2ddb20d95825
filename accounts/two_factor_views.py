"""Mon compte > Double authentification: turn the second factor on or off,
and regenerate the recovery codes."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.util import random_hex

from accounts import reauthentication, services, sign_in, two_factor
from accounts.forms import EnrolmentForm, SecondFactorCodeForm
from accounts.views import WRONG_CODE, logged_out_if_blocked

REGENERATE_PREFIX = "regenerer"
DISABLE_PREFIX = "desactiver"


def _overview(request, *, regenerate_form=None, disable_form=None):
    user = request.user
    context = {
        "enabled": two_factor.has_authenticator_app(user),
        "required": two_factor.is_required_for(user),
        "may_disable": two_factor.may_disable(user),
        "remaining_codes": two_factor.remaining_recovery_codes(user),
        "regenerate_form": regenerate_form or SecondFactorCodeForm(prefix=REGENERATE_PREFIX),
        "disable_form": disable_form or SecondFactorCodeForm(prefix=DISABLE_PREFIX),
    }
    return render(request, "accounts/two_factor.html", context)


def _enrolment_secret(request):
    """The hex key offered on the enrolment page; the same on every reload
    until a code confirms it, and stored nowhere but the session till then."""
    key = request.session.get(two_factor.ENROLMENT_KEY)
    if not key:
        key = request.session[two_factor.ENROLMENT_KEY] = random_hex(20)
    return key


@never_cache
def overview(request):
    return _overview(request)


@never_cache
@sensitive_post_parameters("code")
@reauthentication.required
def enrol(request):
    """Scan the QR code (or type the secret), then give the app's first code:
    the recovery codes are shown once, on the answer."""
    user = request.user
    if two_factor.has_authenticator_app(user):
        messages.info(request, "La double authentification est déjà activée sur votre compte.")
        return redirect("accounts:two_factor")
    key = _enrolment_secret(request)
    form = EnrolmentForm(key, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        time_step = form.time_step
        assert time_step is not None  # noqa: S101 (a valid form found the code's step)
        device, codes = two_factor.enable(
            user, key=key, time_step=time_step, current_session=sign_in.current_session(request)
        )
        sign_in.keep_signed_in(request, user)
        sign_in.second_factor_enabled(request, device)
        messages.success(request, "La double authentification est activée sur votre compte.")
        return render(request, "accounts/recovery_codes.html", {"codes": codes})
    context = {
        "form": form,
        "forced": two_factor.is_required_for(user),
        "qr_code": two_factor.qr_code_svg(user, key),
        "secret": two_factor.base32_secret(key),
    }
    return render(request, "accounts/two_factor_enrol.html", context)


def _confirmed_by_code(request, form):
    """Whether the form holds a right code. A wrong one counts toward the
    lockout; if it blocks the account, its session ends here."""
    if not form.is_valid():
        return False
    if services.confirm_with_code(request.user, form.cleaned_data["code"]):
        return True
    form.add_error("code", WRONG_CODE)
    return False


@require_POST
@never_cache
@sensitive_post_parameters("regenerer-code")
def regenerate(request):
    form = SecondFactorCodeForm(request.POST, prefix=REGENERATE_PREFIX)
    if two_factor.has_authenticator_app(request.user) and _confirmed_by_code(request, form):
        codes = two_factor.regenerate_recovery_codes(request.user)
        # The session stays verified by the app, not by the codes just replaced.
        sign_in.second_factor_enabled(request, two_factor.verified_device(request.user))
        messages.success(request, "Vos nouveaux codes de secours remplacent les précédents.")
        return render(request, "accounts/recovery_codes.html", {"codes": codes})
    return logged_out_if_blocked(request) or _overview(request, regenerate_form=form)


@require_POST
@never_cache
@sensitive_post_parameters("desactiver-code")
def disable(request):
    form = SecondFactorCodeForm(request.POST, prefix=DISABLE_PREFIX)
    if two_factor.may_disable(request.user) and _confirmed_by_code(request, form):
        two_factor.disable(request.user)
        sign_in.second_factor_disabled(request)
        messages.success(request, "La double authentification est désactivée sur votre compte.")
        return redirect("accounts:two_factor")
    return logged_out_if_blocked(request) or _overview(request, disable_form=form)
