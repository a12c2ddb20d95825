"""Records real WebAuthn responses of Chromium's virtual authenticator into
responses.json, for the passkey tests that need no browser:

    .venv/bin/python -m tests.passkeys.record_responses

Chromium is served a blank page at the test origin (Playwright answers the
request itself: no server runs), gets options made by the same library as
sigma's, and its authenticator answers them. Every challenge is recorded with
the response made over it. Run again to renew them; never edit the file.
"""

import json
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright
from webauthn import generate_authentication_options, generate_registration_options, options_to_json
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from tests.passkeys.virtual_authenticator import add_virtual_authenticator

OUTPUT = Path(__file__).with_name("responses.json")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ORIGIN = "http://localhost:8000"
OTHER_ORIGIN = "http://localhost:8001"
RP_ID = "localhost"

CREATE = """async (json) => {
    const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(JSON.parse(json));
    return (await navigator.credentials.create({publicKey})).toJSON();
}"""
GET = """async (json) => {
    const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(JSON.parse(json));
    return (await navigator.credentials.get({publicKey})).toJSON();
}"""


def _challenge(name: str) -> bytes:
    """A distinct 32-byte challenge per recorded response, readable in the file."""
    return name.encode().ljust(32, b".")[:32]


class Recorder:
    def __init__(self, browser, *, user_handle: bytes, user_name: str, **authenticator):
        self.page = browser.new_context().new_page()
        self.page.route("http://localhost:*/**", lambda route: route.fulfill(body="<!DOCTYPE html><title>.</title>"))
        self.page.goto(f"{ORIGIN}/")
        add_virtual_authenticator(self.page, **authenticator)
        self.user_handle = user_handle
        self.user_name = user_name
        self.responses: dict[str, dict] = {}

    def register(self, name: str, *, user_verification=UserVerificationRequirement.REQUIRED):
        challenge = _challenge(name)
        options = generate_registration_options(
            rp_id=RP_ID,
            rp_name="SIGMA FP",
            user_name=self.user_name,
            user_id=self.user_handle,
            challenge=challenge,
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.REQUIRED, user_verification=user_verification
            ),
        )
        self._keep(name, challenge, self.page.evaluate(CREATE, options_to_json(options)))

    def sign(self, name: str, *, origin: str = ORIGIN, user_verification=UserVerificationRequirement.REQUIRED):
        if not self.page.url.startswith(origin):
            self.page.goto(f"{origin}/")
        challenge = _challenge(name)
        options = generate_authentication_options(rp_id=RP_ID, challenge=challenge, user_verification=user_verification)
        self._keep(name, challenge, self.page.evaluate(GET, options_to_json(options)))

    def _keep(self, name, challenge, credential):
        self.responses[name] = {"challenge": bytes_to_base64url(challenge), "credential": credential}


def record() -> dict:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        # The account's passkey: registered, then used in turn (its signature
        # counter goes 1, 2, 3), once from another origin.
        own = Recorder(browser, user_handle=_challenge("handle-own"), user_name="test.identifiant")
        own.register("registration")
        own.sign("sign_in")
        own.sign("sign_in_later")
        own.sign("other_origin", origin=OTHER_ORIGIN)
        # Another account's passkey, on another authenticator.
        other = Recorder(browser, user_handle=_challenge("handle-other"), user_name="autre.compte")
        other.register("other_registration")
        other.sign("other_sign_in")
        # An authenticator that cannot verify its user (no PIN, no biometrics).
        unverified = Recorder(
            browser,
            user_handle=_challenge("handle-unverified"),
            user_name="sans.verification",
            hasUserVerification=False,
            isUserVerified=False,
        )
        unverified.register("unverified_registration", user_verification=UserVerificationRequirement.DISCOURAGED)
        browser.close()
    return {
        "origin": ORIGIN,
        "own": {"user_handle": bytes_to_base64url(own.user_handle), **own.responses},
        "other": {"user_handle": bytes_to_base64url(other.user_handle), **other.responses},
        "unverified": unverified.responses,
    }


if __name__ == "__main__":
    OUTPUT.write_text(json.dumps(record(), indent=2) + "\n")
    print(f"Recorded {OUTPUT}")
