"""Two gunicorn instances of sigma in production mode, sharing one database and
one Redis, behave as one site: a browser going from one to the other through a
whole flow never notices.

Each instance runs as docs/deploy.md says (gunicorn -c deploy/gunicorn.conf.py
config.wsgi), with the e-mail worker beside them. The load balancer's part is
played by the test: it sends each request to A or B, over plain loopback,
with the X-Forwarded-Proto: https header a TLS-terminating proxy adds.
"""

import http.client
import os
import re
import secrets
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import _free_port
from tests.processes import ROOT, manage

# Starts Redis, two gunicorn instances and their workers.
pytestmark = pytest.mark.slow

HOST = "sigma.test"
DEMO_PASSWORD = "Demo-Sigma-2026!"
NEW_PASSWORD = "Canal-du-Midi-Toulouse-31!"
WRONG_PASSWORD = "Mauvais-Mot-de-passe-99!"
METRICS_TOKEN = secrets.token_urlsafe(32)


class Instance:
    def __init__(self, name, port):
        self.name, self.port = name, port

    def __repr__(self):
        return f"instance {self.name} (port {self.port})"


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def location(self):
        return urlsplit(self.headers.get("Location", "")).path


def raw_get(instance, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", instance.port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": HOST, **(headers or {})})
        response = connection.getresponse()
        return Response(response.status, response.headers, response.read().decode())
    finally:
        connection.close()


class Browser:
    """A browser reaching the site through the HTTPS load balancer: it keeps
    its cookies whichever instance set them."""

    def __init__(self):
        self.cookies = {}

    def get(self, instance, path):
        return self._request(instance, "GET", path)

    def post(self, instance, path, form=None):
        form = {"csrfmiddlewaretoken": self.cookies.get("__Host-sigma-csrf", ""), **(form or {})}
        return self._request(instance, "POST", path, urlencode(form))

    def _request(self, instance, method, path, body=None):
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items()),
        }
        if body is not None:
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"https://{HOST}",
                "Referer": f"https://{HOST}{path}",
            }
        connection = http.client.HTTPConnection("127.0.0.1", instance.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return Response(response.status, response.headers, response.read().decode())
        finally:
            connection.close()


def wait_until(condition, what, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def site(tmp_path, scratch_database, smtp_server):
    """A Redis of its own, a migrated database with the demo data, two gunicorn
    instances (A with two workers and multiprocess metrics, B with one) and
    one e-mail worker, all in production mode."""
    processes = []

    def start(name, argv, env):
        log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        processes.append((name, process, log))
        return process

    redis_port = _free_port()
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("SIGMA_", "DJANGO_", "PROMETHEUS_"))
    } | {
        "SIGMA_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": HOST,
        "SIGMA_BASE_URL": f"https://{HOST}",
        "DATABASE_URL": scratch_database("instances"),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "EMAIL_HOST": smtp_server.hostname,
        "EMAIL_PORT": str(smtp_server.port),
        "LOGIN_FAILURES_PER_IP": "5",
        "METRICS_TOKEN": METRICS_TOKEN,
    }
    gunicorn = [str(Path(sys.executable).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "config.wsgi"]
    a, b = Instance("A", _free_port()), Instance("B", _free_port())
    try:
        start("redis", ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", ""], os.environ)
        manage("migrate", "--noinput", env=env)
        # As at every release (docs/deploy.md): production serves hashed static files.
        manage("collectstatic", "--noinput", "-v0", env=env)
        # load_demo refuses to run in production; the data it writes is the same
        # (development, not test: the test settings hash passwords with MD5).
        manage("load_demo", env=env | {"SIGMA_ENV": "development"})
        start(
            "A",
            gunicorn,
            env
            | {"SIGMA_BIND": f"127.0.0.1:{a.port}", "WEB_CONCURRENCY": "2"}
            | {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics-a")},
        )
        start("B", gunicorn, env | {"SIGMA_BIND": f"127.0.0.1:{b.port}", "WEB_CONCURRENCY": "1"})
        start("worker", [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--interval", "0.2"], env)
        for instance in (a, b):
            wait_until(lambda instance=instance: _answers(instance), f"{instance} to start", timeout=60)
        yield a, b
    finally:
        for name, process, log in processes:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()
            print(f"--- {name} ---\n{(tmp_path / f'{name}.log').read_text()}")


def _answers(instance):
    try:
        return raw_get(instance, "/readyz").status == 200
    except OSError:
        return False


def one_time_link_to(smtp_server, address, after):
    def link():
        for message in smtp_server.handler.messages[after:]:
            if address in message["To"]:
                text = message.get_body(preferencelist=("plain",)).get_content()
                found = re.findall(rf"https://{re.escape(HOST)}(/acces/[^/\s]+/)", text)
                if found:
                    return found[0]
        return None

    return wait_until(link, f"the one-time link e-mail to {address}")


def login_counts(instance):
    response = raw_get(instance, "/metrics", {"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status == 200
    (family,) = [family for family in text_string_to_metric_families(response.body) if family.name == "sigma_logins"]
    return {sample.labels["outcome"]: sample.value for sample in family.samples if sample.name.endswith("_total")}


def test_two_instances_behind_one_address_behave_as_one_site(site, smtp_server):
    a, b = site
    # Probes reach each instance directly, over plain HTTP; pages are HTTPS only.
    assert (raw_get(b, "/healthz").status, raw_get(b, "/healthz").body) == (200, "ok")
    assert raw_get(b, "/connexion/").status == 301

    # Logged in on A, the primary account's next page comes from B.
    primary = Browser()
    primary.get(a, "/connexion/")
    assert primary.post(a, "/connexion/", {"identifiant": "66bdj5zw4x", "password": DEMO_PASSWORD}).location == "/"
    home = primary.get(b, "/")
    assert home.status == 200
    assert "ORGANISME TEST PRF 23" in home.body

    # Three wrong passwords spread over A and B block the account.
    intruder = Browser()
    intruder.get(b, "/connexion/")
    for instance in (a, b, a):
        answer = intruder.post(instance, "/connexion/", {"identifiant": "8wwapv3bzk", "password": WRONG_PASSWORD})
        assert answer.status == 200
    assert "Votre compte est bloqué" in answer.body
    refused = intruder.post(b, "/connexion/", {"identifiant": "8wwapv3bzk", "password": DEMO_PASSWORD})
    assert "Votre compte est bloqué" in refused.body

    # A one-time link asked for on A is opened on B and used on A; the
    # identifiant and password are then chosen on B.
    user = Browser()
    user.get(a, "/generation-mot-de-passe/")
    mails_before = len(smtp_server.handler.messages)
    details = {"identifiant": "8wwapv3bzk", "last_name": "GU", "first_name": "Be", "email": "aa@aa.fr"}
    assert user.post(a, "/generation-mot-de-passe/", details).status == 200
    link = one_time_link_to(smtp_server, "aa@aa.fr", after=mails_before)
    assert user.get(b, link).location == "/acces/"
    assert user.get(b, "/acces/").status == 200
    assert user.post(a, "/acces/").location == "/mon-compte/modifications/"
    choice = {"identifiant": "gu.be", "new_password": NEW_PASSWORD, "new_password_confirmation": NEW_PASSWORD}
    assert user.post(b, "/mon-compte/modifications/", choice).location == "/mon-compte/modifications/"
    user.post(a, "/deconnexion/")
    user.get(a, "/connexion/")
    assert user.post(b, "/connexion/", {"identifiant": "gu.be", "password": NEW_PASSWORD}).location == "/"

    # The fifth failed login from this address, over both instances (neither
    # saw five): the next attempt is refused by either.
    assert intruder.post(b, "/connexion/", {"identifiant": "inconnu", "password": WRONG_PASSWORD}).status == 200
    throttled = intruder.post(a, "/connexion/", {"identifiant": "66bdj5zw4x", "password": DEMO_PASSWORD})
    assert throttled.status == 429
    assert "Trop de tentatives depuis votre adresse" in throttled.body

    # A's two workers report their login counts together; without the token
    # there is no metrics page.
    assert login_counts(a) == {
        "success": 1,
        "wrong_password": 2,
        "blocked": 0,
        "inactive": 0,
        "unknown_identifiant": 0,
    }
    assert raw_get(a, "/metrics").status == 404
