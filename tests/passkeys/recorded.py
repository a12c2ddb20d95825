"""Passkey tests without a browser: the responses Chromium's virtual
authenticator made (responses.json, recorded by record_responses.py), each
with the challenge it signed, put back into the session as sigma's options
would have left it."""

import json
import time
from pathlib import Path

from django.contrib.auth import SESSION_KEY

from passkeys.services import CHALLENGE_KEY

RESPONSES = json.loads(Path(__file__).with_name("responses.json").read_text())
OWN, OTHER = RESPONSES["own"], RESPONSES["other"]
ADD_URL = "/mon-compte/cles-d-acces/ajout/"
SIGN_IN_URL = "/connexion/cle-d-acces/"
CONFIRM_URL = "/mon-compte/confirmation/cle-d-acces/"


def expect_challenge(client, ceremony, recorded, *, user_handle="", at=None):
    """`client`'s session as the options of `ceremony` left it, with the challenge `recorded` signed."""
    session = client.session
    session[CHALLENGE_KEY] = {
        "ceremony": ceremony,
        "challenge": recorded["challenge"],
        "user_handle": user_handle,
        "at": time.time() if at is None else at,
    }
    session.save()


def credential(recorded):
    return json.dumps(recorded["credential"])


def add(client, holder, *, name="PC du bureau", recorded="registration"):
    """Register `holder`'s recorded passkey through Mon compte, as the browser sends it."""
    responses = RESPONSES[holder]
    expect_challenge(client, "registration", responses[recorded], user_handle=responses["user_handle"])
    return client.post(ADD_URL, {"name": name, "credential": credential(responses[recorded])})


def sign_in(client, recorded, *, expecting=None):
    """Send the recorded response to the login page's passkey form, the session
    expecting the challenge it signed (or that of `expecting`)."""
    expect_challenge(client, "sign_in", expecting or recorded)
    return client.post(SIGN_IN_URL, {"credential": credential(recorded)})


def signed_in_as(client):
    return client.session.get(SESSION_KEY)
