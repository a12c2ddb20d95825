"""Start and drive the ProConnect-like provider (server.js) from the tests.

It is a real OpenID Provider (oidc-provider, on node) on a free loopback
port; `sign_in` goes through its login page as a browser would, with an HTTP
client, and returns the callback URL it sends the browser to.
"""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

NODE = shutil.which("node") or "node"
# Every test person's ProConnect password (test data, not a secret).
PASSWORD = "ProConnect-2026!"
HERE = Path(__file__).resolve().parent
CLIENT_ID = "sigma-test"
CLIENT_SECRET = "sigma-test-secret-" + "x" * 32
STARTUP_SECONDS = 20


class Provider:
    def __init__(self, *, base_url: str):
        self.base_url = base_url.rstrip("/")
        self._scenario_file = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)  # noqa: SIM115
        self.scenario: dict = {"accounts": {}, "misbehave": None, "delay_seconds": 0}
        self._write()
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def start(self, *, port: int = 0) -> "Provider":
        env = os.environ | {
            "OIDC_PORT": str(port),
            "OIDC_SCENARIO": self._scenario_file.name,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_REDIRECT_URI": f"{self.base_url}/proconnect/retour/",
            "OIDC_POST_LOGOUT_REDIRECT_URI": f"{self.base_url}/proconnect/deconnexion/",
        }
        self.process = subprocess.Popen(  # noqa: S603 (fixed argv: node and the server script beside this file)
            [NODE, str(HERE / "server.js")],
            cwd=HERE,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = self.process.stdout.readline()
        if not line.startswith("READY "):
            self.stop()
            raise RuntimeError(f"the test OpenID provider did not start: {line!r}")
        self.port = int(line.split()[1])
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def restart(self) -> None:
        """The same provider on the same port with new signing keys."""
        port = self.port
        self.stop()
        self.start(port=port)

    def _write(self) -> None:
        Path(self._scenario_file.name).write_text(json.dumps(self.scenario))

    def reset(self) -> None:
        self.scenario = {"accounts": {}, "misbehave": None, "delay_seconds": 0}
        self._write()

    def add_person(self, email: str, *, sub: str, siret: str | None, password: str = PASSWORD, **claims):
        person = {"sub": sub, "password": password, "given_name": "Camille", "usual_name": "LEROY", "uid": sub}
        person |= claims
        if siret is not None:
            person["siret"] = siret
        self.scenario["accounts"][email] = person
        self._write()
        return person

    def misbehave(self, mode: str | None, *, delay_seconds: float = 0) -> None:
        self.scenario["misbehave"] = mode
        self.scenario["delay_seconds"] = delay_seconds
        self._write()

    def sign_in(self, authorization_url: str, *, email: str, password: str = PASSWORD, code: str = "") -> str:
        """Go from sigma's redirect to ProConnect through its login page, as a
        browser would; returns the URL of sigma it finally sends the browser to."""
        with requests.Session() as browser:
            response = browser.get(authorization_url, allow_redirects=True, timeout=10)
            form = {"email": email, "password": password, "code": code}
            action = urljoin(response.url, _form_action(response.text))
            response = browser.post(action, data=form, allow_redirects=False, timeout=10)
            while response.is_redirect:
                location = urljoin(response.url, response.headers["Location"])
                if not location.startswith(self.issuer):
                    return location
                response = browser.get(location, allow_redirects=False, timeout=10)
        raise AssertionError(f"the provider did not send the browser back: {response.status_code}")


def _form_action(html: str) -> str:
    marker = 'action="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def path_of(url: str) -> str:
    """The path and query of `url`, for Django's test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path
