"""Chromium's virtual authenticator (the DevTools WebAuthn domain, through a
Playwright CDP session): a real authenticator's behaviour, keys kept by the
browser, user verification answered without anyone at the keyboard."""

from typing import Any

AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}


def add_virtual_authenticator(page: Any, **options: Any) -> tuple[Any, str]:
    """A virtual platform authenticator for `page` (a Playwright page):
    returns the CDP session and the authenticator's id."""
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable", {"enableUI": False})
    answer = session.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR | options})
    return session, answer["authenticatorId"]


def credentials_of(session: Any, authenticator_id: str) -> list[dict[str, Any]]:
    return session.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]


class VirtualAuthenticator:
    """A virtual authenticator whose user is at the keyboard only when the
    test says so (`answering(True)`): otherwise it leaves the browser's
    prompts waiting, as a person who does not touch the sensor."""

    def __init__(self, page: Any) -> None:
        self.session, self.id = add_virtual_authenticator(page, automaticPresenceSimulation=False)

    def answering(self, answering: bool) -> None:
        self.session.send("WebAuthn.setAutomaticPresenceSimulation", {"authenticatorId": self.id, "enabled": answering})

    def credentials(self) -> list[dict[str, Any]]:
        return credentials_of(self.session, self.id)
