"""Second-factor helpers shared by the tests: real TOTP codes computed from a
device's key, as an authenticator app computes them, and a logged-in session
as the login's second step leaves it."""

import base64
import re
import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import reauthentication
from passkeys.models import Passkey

ENROL = "/mon-compte/double-authentification/activation/"


def device_of(account):
    return TOTPDevice.objects.get(user=account, confirmed=True)


def totp_code(key, *, steps_from_now=0):
    """The 6-digit code an app holding the hex `key` shows now, or that many
    30-second steps later. A code is accepted once only, and one step either
    side of now is allowed for clock drift: a test needing a second code in the
    same step takes the next one."""
    return f"{totp(bytes.fromhex(key), digits=6, drift=steps_from_now):06d}"


def code_of(account, *, steps_from_now=0):
    return totp_code(device_of(account).key, steps_from_now=steps_from_now)


def log_in_verified(client, account):
    """`client` logged in as `account`, its session verified by the account's
    second factor when it has one (its app, or else a passkey), as after the
    login's second step."""
    client.force_login(account)
    session = client.session
    # Just logged in: a recent authentication (accounts.reauthentication).
    session[reauthentication.SESSION_KEY] = time.time()
    device = (
        TOTPDevice.objects.filter(user=account, confirmed=True).first()
        or Passkey.objects.filter(user=account, confirmed=True).first()
    )
    if device:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def wrong_code_of(account):
    """A 6-digit code the account's app shows at none of the accepted steps."""
    accepted = {code_of(account, steps_from_now=step) for step in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


def secret_shown(response):
    """The key the enrolment page offers for typing by hand, as hex."""
    match = re.search(r'<p class="secret"><code>(.*?)</code></p>', response.content.decode())
    assert match, "no secret on the page"
    return base64.b32decode(match.group(1).replace(" ", "")).hex()


def recovery_codes_shown(response):
    block = re.search(r'<ul class="recovery-codes">(.*?)</ul>', response.content.decode(), re.S)
    assert block, "no recovery codes on the page"
    return re.findall(r"<code>(.*?)</code>", block.group(1))


def enrol(client):
    """Turn the second factor on as its user does: read the key on the page,
    type the app's code. Returns the key and the recovery codes shown."""
    key = secret_shown(client.get(ENROL))
    response = client.post(ENROL, {"code": totp_code(key)})
    assert response.status_code == 200
    return key, recovery_codes_shown(response)
