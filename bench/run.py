# ruff: noqa: S603, S607 (fixed commands of its own: gunicorn, wrk, apt-get)
"""`make bench`: sigma under gunicorn with production settings, loaded by wrk
at 100 and at 10,000 generated organismes; writes the results into
docs/benchmarks.md (between its bench markers) and var/bench/.

The database is PostgreSQL when DATABASE_URL is set (the database it names is
dropped and created again, so its name must contain "bench"), otherwise a
fresh SQLite file under var/bench/. See docs/benchmarks.md for the method.
"""

import json
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
DOC = ROOT / "docs" / "benchmarks.md"
LUA = ROOT / "bench" / "lua" / "sigma.lua"
PYTHON = Path(sys.executable)

# BENCH_SIZES and BENCH_SECONDS give a quicker run while trying changes out.
SIZES = tuple(int(size) for size in os.environ.get("BENCH_SIZES", "100,10000").split(","))
WORKERS = os.cpu_count()
# One wrk thread and two connections per worker: every worker busy, a short
# queue, and wrk itself using little of the CPU it shares with the server.
WRK_THREADS = 1
WRK_CONNECTIONS = 2 * WORKERS
WARM_UP_SECONDS = 2
RUN_SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
HASH_SECONDS = 3

# The organisme whose Comptes utilisateurs are paged through and saved: as
# large as a big national network's, so that it has a late page.
BENCH_SECONDARY_ACCOUNTS = 500
ACCOUNTS_PAGE_SIZE = 10
LATE_PAGE = BENCH_SECONDARY_ACCOUNTS // ACCOUNTS_PAGE_SIZE
LOGIN_ACCOUNTS = 100
SEARCH = "toulouse"
# The environment `make bench` was started with, before this process sets its own.
STARTING_ENV = dict(os.environ)
# Shared by the server and this process, so that this process's test client
# can use the sessions the server opened (their auth hash depends on it).
SECRET_KEY = secrets.token_urlsafe(50)


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    path: str
    session: str | None = None
    mode: str = "get"
    expect: int = 200
    # Text every correct answer shows (checked once before the load).
    marker: str = ""


def scenarios(fixtures):
    return [
        Scenario("bare", "Bare view (ceiling)", "/bench/bare/", "organisme", marker="ok"),
        Scenario("login_page", "Login page (GET)", "/connexion/", marker="Authentification"),
        Scenario("login", "Login (POST, Argon2id)", "/connexion/", mode="login", expect=302),
        Scenario("dashboard", "Home dashboard", "/", "organisme", marker="Mes actions"),
        Scenario("accounts_first", "Comptes utilisateurs, page 1", "/organisme/comptes/", "manager", marker="CHARGE"),
        Scenario(
            "accounts_late",
            f"Comptes utilisateurs, page {LATE_PAGE}",
            f"/organisme/comptes/?page={LATE_PAGE}",
            "manager",
            marker="CHARGE",
        ),
        Scenario("search", f"Recherche rapide « {SEARCH} »", f"/region/?q={SEARCH}", "agent", marker="TOULOUSE"),
        Scenario(
            "organisme_search",
            f"Recherche rapide of an organisme « {fixtures['search_word']} »",
            f"/recherche/?q={fixtures['search_word']}",
            "organisme",
            marker=fixtures["action_numero"],
        ),
        Scenario("bdc", "BDC page", f"/actions/{fixtures['action_pk']}/", "organisme", marker="Inscriptions"),
        Scenario("save", "Save a compte secondaire (POST)", "/organisme/comptes/", "manager", "save", 302),
    ]


# Pages held to the 40%-of-the-bare-view and scaling targets.
PAGE_KEYS = ("dashboard", "accounts_first", "accounts_late", "search", "organisme_search", "bdc")


def main():
    started = time.monotonic()
    ensure_wrk()
    VAR.mkdir(parents=True, exist_ok=True)
    databases = dict(zip(SIZES, fresh_databases(), strict=True))
    django_setup(databases[SIZES[0]])
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    run(PYTHON, "manage.py", "collectstatic", "--noinput", "-v0", env=server_env(databases[SIZES[0]]))
    generation_seconds = {}
    generated = 0
    fixtures = None
    previous = None
    for size, database_url in databases.items():
        if previous:
            # Each larger size starts as a copy of the smaller one: the same
            # fixtures, accounts and pages, with more organismes around them.
            clone_database(previous, database_url)
            use_database(database_url)
        say(f"Génération : {size} organismes")
        generation_started = time.monotonic()
        with open(os.devnull, "w") as quiet:
            call_command("generate_data", organismes=size - generated, seed=size, stdout=quiet)
        generation_seconds[size] = time.monotonic() - generation_started
        generated, previous = size, database_url
        if fixtures is None:
            fixtures = prepare_fixtures()
        analyze()
    results = measure(databases, fixtures)
    for size, result in results.items():
        result["generation_seconds"] = generation_seconds[size]

    report = {
        "results": results,
        "machine": machine(),
        "versions": versions(),
        "total_seconds": time.monotonic() - started,
    }
    vendor = report["versions"]["database_vendor"]
    (VAR / f"results-{vendor}.json").write_text(json.dumps(report, indent=2, default=str))
    if len(SIZES) != 2:
        # A trial run (BENCH_SIZES with one size) has no growth to report: docs/benchmarks.md stays as it is.
        print(render_trial(report))
        return
    table = render(report)
    (VAR / f"benchmarks-{vendor}.md").write_text(table)
    write_doc(table)
    print(table)


def say(message):
    print(f"[bench] {message}", flush=True)


def run(*command, env=None):
    subprocess.run([str(part) for part in command], cwd=ROOT, env=env, check=True)


def ensure_wrk():
    if shutil.which("wrk"):
        return
    say("wrk absent : installation du paquet Debian")
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    if os.geteuid() != 0:
        install = ["sudo", *install]
    if subprocess.run(install, check=False).returncode != 0:
        subprocess.run([*install[:-4], "update", "-qq"], check=True)
        subprocess.run(install, check=True)


# The database


def fresh_databases():
    """One empty database per size: the first is created here, the others are
    made later as copies (clone_database)."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        for stale in VAR.glob("sigma*.sqlite3*"):
            stale.unlink()
        return [f"sqlite:///{VAR / f'sigma-{size}.sqlite3'}" for size in SIZES]
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"make bench efface la base {name!r} : donnez-lui un nom contenant « bench ».")
    names = [name, *(f"{name}_{size}" for size in SIZES[1:])]
    with server_connection(url) as connection:
        for stale in names:
            connection.execute(f'DROP DATABASE IF EXISTS "{stale}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return [parts._replace(path=f"/{each}").geturl() for each in names]


def server_connection(url):
    import psycopg

    return psycopg.connect(urlsplit(url)._replace(path="/postgres").geturl(), autocommit=True)


def clone_database(source_url, target_url):
    from django.db import connections

    connections.close_all()
    if source_url.startswith("sqlite:"):
        import sqlite3

        # SQLite's online backup copies pages as they are (VACUUM INTO would
        # re-evaluate expressions that need Django's SQL functions).
        source, target = (sqlite3.connect(urlsplit(url).path) for url in (source_url, target_url))
        with source, target:
            source.backup(target)
        source.close()
        target.close()
        return
    with server_connection(source_url) as connection:
        source, target = (urlsplit(url).path.lstrip("/") for url in (source_url, target_url))
        connection.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')


def use_database(database_url):
    """Point this process's Django at another of the bench's databases (they
    differ by name only)."""
    import dj_database_url
    from django.db import connections

    connections["default"].close()
    connections["default"].settings_dict["NAME"] = dj_database_url.parse(database_url)["NAME"]


def django_setup(database_url):
    """This process uses Django too (data generation, query counts), in
    development mode: generate_data refuses to run in production."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SIGMA_ENV="development",
        DEBUG="0",
        DATABASE_URL=database_url,
        MAIL_FOLDER=str(VAR / "mail"),
        SIGMA_BENCH_VIEW="1",
        SECRET_KEY=SECRET_KEY,
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def analyze():
    """Fresh statistics, as autovacuum or a routine ANALYZE gives a live database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def prepare_fixtures():
    """Accounts the load logs in with, and the pages it reads, kept the same
    at both sizes (they are made with the first, smaller data)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from core.text import normalize_for_search
    from organisations.models import Organisme
    from organisations.validators import luhn_check_digit
    from training.management.commands.generate_data import GENERATED_PASSWORD
    from training.models import ActionFormation

    password = make_password(GENERATED_PASSWORD)

    def account(identifiant, **fields):
        fields.setdefault("email", f"{identifiant}@charge.example")
        return User(
            identifiant=identifiant,
            password=password,
            password_state=User.PasswordState.CHOSEN,
            civilite=User.Civilite.MADAME,
            search_text=normalize_for_search(identifiant, fields["last_name"], fields["first_name"], fields["email"]),
            **fields,
        )

    with transaction.atomic():
        siret_body = "9990000000001"
        manager_organisme = Organisme.objects.create(
            raison_sociale="RÉSEAU NATIONAL DE FORMATION", siret=siret_body + luhn_check_digit(siret_body)
        )
        User.objects.bulk_create(
            [
                account("charge.agent", kind=User.Kind.REGION_AGENT, last_name="AGENT", first_name="Charge"),
                account(
                    "charge.principal",
                    kind=User.Kind.PRIMARY,
                    organisme=manager_organisme,
                    last_name="PRINCIPAL",
                    first_name="Charge",
                ),
                *(
                    account(
                        f"charge.secondaire.{number:04d}",
                        kind=User.Kind.SECONDARY,
                        organisme=manager_organisme,
                        last_name="CHARGE",
                        first_name=f"Secondaire {number:04d}",
                    )
                    for number in range(BENCH_SECONDARY_ACCOUNTS)
                ),
            ]
        )
    # Region agents log in with a second factor: an authenticator app whose key the bench knows.
    agent_device = TOTPDevice.objects.create(user=User.objects.get(identifiant="charge.agent"), name="charge")
    organisme_primary = User.objects.filter(kind=User.Kind.PRIMARY).exclude(organisme=manager_organisme).earliest("pk")
    # The first organisme's largest action: its BDC page has the most to show.
    action = max(
        ActionFormation.objects.filter(organisme_id=organisme_primary.organisme_id).order_by("pk"),
        key=lambda action: action.inscriptions.count(),
    )
    login_identifiants = list(
        User.objects.filter(kind=User.Kind.PRIMARY)
        .exclude(organisme=manager_organisme)
        .order_by("pk")
        .values_list("identifiant", flat=True)[:LOGIN_ACCOUNTS]
    )
    (VAR / "login.txt").write_text("\n".join(login_identifiants) + "\n")
    return {
        "password": GENERATED_PASSWORD,
        "accounts": {
            "organisme": organisme_primary.identifiant,
            "manager": "charge.principal",
            "agent": "charge.agent",
        },
        "manager_organisme_pk": manager_organisme.pk,
        "action_pk": action.pk,
        "action_numero": action.numero_bdc,
        # A word of its title, typed without accents or capitals.
        "search_word": normalize_for_search(action.intitule).split()[0],
        "login_identifiants": login_identifiants,
        "second_factors": {"agent": agent_device.pk},
    }


def current_code(device_pk):
    """What the agent's authenticator app shows now."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(pk=device_pk)
    token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    return f"{token:0{device.digits}d}"


def write_save_rows(fixtures):
    """The accounts the save scenario modifies, at their current version."""
    from accounts.models import User

    rows = User.objects.filter(organisme_id=fixtures["manager_organisme_pk"], kind=User.Kind.SECONDARY).values_list(
        "pk", "version", "email"
    )
    (VAR / "save.txt").write_text("".join(f"{pk} {version} {email}\n" for pk, version, email in rows))
    return sum(version for _pk, version, _email in rows)


# Ceilings


def argon2_verify_rate():
    """Raw Argon2id verifications per second on one core, with sigma's parameters."""
    from argon2 import PasswordHasher, Type

    from accounts.hashers import Argon2idHasher

    hasher = PasswordHasher(
        time_cost=Argon2idHasher.time_cost,
        memory_cost=Argon2idHasher.memory_cost,
        parallelism=Argon2idHasher.parallelism,
        type=Type.ID,
    )
    encoded = hasher.hash("Charge-Sigma-2026!")
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < HASH_SECONDS:
        hasher.verify(encoded, "Charge-Sigma-2026!")
        count += 1
    return count / (time.perf_counter() - started)


# The server


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(database_url, port=8000):
    """Production settings, as a deployment behind a TLS-terminating proxy has
    them: the proxy's X-Forwarded-Proto makes requests secure, so HTTPS-only
    cookies, HSTS, the SSL redirect and the CSRF origin check stay on."""
    env = {key: value for key, value in STARTING_ENV.items() if not key.startswith(("DJANGO_", "SIGMA_", "DEBUG"))}
    env.update(
        SIGMA_ENV="production",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        SIGMA_BASE_URL=f"https://127.0.0.1:{port}",
        # No e-mail is sent by the pages measured; nothing listens there.
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(free_port()),
        DATABASE_URL=database_url,
        # Connections kept between requests, as a deployment configures it.
        DATABASE_CONN_MAX_AGE="60",
        SIGMA_BENCH_VIEW="1",
    )
    redis_url = STARTING_ENV.get("REDIS_URL") or local_redis()
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def local_redis():
    """The shared cache production uses, when a Redis answers on loopback."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            if connection.recv(16).startswith(b"+PONG"):
                return "redis://127.0.0.1:6379/14"
    except OSError:
        pass
    return None


class Server:
    def __init__(self, database_url, size):
        self.port = free_port()
        self.env = server_env(database_url, self.port)
        log = open(VAR / f"gunicorn-{size}.log", "w")  # noqa: SIM115 (open for the server's life)
        self.process = subprocess.Popen(
            [
                PYTHON.parent / "gunicorn",
                "config.wsgi:application",
                f"--workers={WORKERS}",
                f"--bind=127.0.0.1:{self.port}",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if Browser(self.port).request("GET", "/connexion/")[0] == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"gunicorn n’a pas démarré : voir {VAR / f'gunicorn-{size}.log'}")
            time.sleep(0.3)

    def worker_rss_mb(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        sizes = []
        for pid in children:
            status = Path(f"/proc/{pid}/status").read_text()
            sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024)
        return sizes

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


class Browser:
    """Plain HTTP with cookies kept by hand: the session and CSRF cookies are
    marked Secure (production) and this client speaks to the server as the
    TLS proxy would."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, form=None):
        connection = HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"X-Forwarded-Proto": "https"}
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://127.0.0.1:{self.port}"
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        content = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value in ("", '""'):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        connection.close()
        return response.status, response.headers, content

    def cookie_header(self):
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def csrf_token(self, path):
        status, _headers, page = self.request("GET", path)
        if status != 200:
            sys.exit(f"{path} : réponse {status} au lieu de la page.")
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def log_in(self, identifiant, password, second_factor=None):
        token = self.csrf_token("/connexion/")
        form = {"csrfmiddlewaretoken": token, "identifiant": identifiant, "password": password}
        status, headers, _page = self.request("POST", "/connexion/", form)
        if second_factor and status == 302 and headers["Location"] == "/connexion/code/":
            form = {"csrfmiddlewaretoken": self.csrf_token("/connexion/code/"), "code": current_code(second_factor)}
            status, headers, _page = self.request("POST", "/connexion/code/", form)
        if status != 302 or headers["Location"] != "/":
            sys.exit(f"La connexion de {identifiant} a échoué ({status}).")
        return self


def measure(databases, fixtures):
    """Every page at every size, the sizes one right after the other for each
    page: the speed of a shared machine drifts over minutes, and the ratios
    between sizes must not measure that drift."""
    servers = {}
    try:
        for size, database_url in databases.items():
            say(f"gunicorn ({WORKERS} workers, production) sur {size} organismes")
            servers[size] = Server(database_url, size)
        sessions = {}
        for size, server in servers.items():
            use_database(databases[size])
            sessions[size] = open_sessions(server, fixtures)
        results = {size: {} for size in databases}
        hash_rates = {}
        for scenario in scenarios(fixtures):
            for size, server in servers.items():
                use_database(databases[size])
                result, hash_rate = load(scenario, server, sessions[size], fixtures)
                if hash_rate:
                    hash_rates[size] = hash_rate
                say(
                    f"{scenario.label}, {size} organismes : {result['rps']:.1f} req/s, p50 {result['p50_ms']:.1f} ms "
                    f"({result['unexpected']} réponses inattendues)"
                )
                results[size][scenario.key] = result
        rss = {size: server.worker_rss_mb() for size, server in servers.items()}
    finally:
        for server in servers.values():
            server.stop()
    measured = {}
    for size, database_url in databases.items():
        use_database(database_url)
        counts = query_counts(fixtures, sessions[size]["browsers"])
        measured[size] = {
            "pages": {key: result | {"queries": counts[key]} for key, result in results[size].items()},
            "worker_rss_mb": rss[size],
            "hash_rate": hash_rates[size],
            "labels": {scenario.key: scenario.label for scenario in scenarios(fixtures)},
        }
    return measured


def open_sessions(server, fixtures):
    """The logged-in browsers the load uses on `server`, the CSRF tokens of its
    POSTs, and one save checked through HTTP before any load."""
    from accounts.models import User

    browsers = {
        name: Browser(server.port).log_in(identifiant, fixtures["password"], fixtures["second_factors"].get(name))
        for name, identifiant in fixtures["accounts"].items()
    }
    anonymous = Browser(server.port)
    first_save = User.objects.filter(organisme_id=fixtures["manager_organisme_pk"], kind=User.Kind.SECONDARY).earliest(
        "pk"
    )
    save_token = browsers["manager"].csrf_token(f"/organisme/comptes/{first_save.pk}/modifier/")
    check_a_save(browsers["manager"], save_token, first_save)
    return {
        "browsers": browsers,
        "anonymous": anonymous,
        "login_token": anonymous.csrf_token("/connexion/"),
        "save_token": save_token,
    }


def load(scenario, server, sessions, fixtures):
    """wrk on one page of one server: its result, and for the logins the raw
    hash rate measured around them."""
    browsers = sessions["browsers"]
    if scenario.mode == "get":
        browser = browsers[scenario.session] if scenario.session else Browser(server.port)
        status, _headers, page = browser.request("GET", scenario.path)
        if status != 200 or scenario.marker not in page:
            sys.exit(f"{scenario.path} : réponse inattendue ({status}) avant la charge.")
    env = {"BENCH_MODE": scenario.mode, "BENCH_EXPECT": str(scenario.expect)}
    if scenario.mode == "login":
        env |= {
            "BENCH_COOKIE": sessions["anonymous"].cookie_header(),
            "BENCH_CSRF": sessions["login_token"],
            "BENCH_DATA": str(VAR / "login.txt"),
            "BENCH_PASSWORD": fixtures["password"],
        }
    elif scenario.session:
        env["BENCH_COOKIE"] = browsers[scenario.session].cookie_header()
    hash_rate = None
    if scenario.mode == "save":
        env |= {"BENCH_CSRF": sessions["save_token"], "BENCH_DATA": str(VAR / "save.txt")}
        write_save_rows(fixtures)
        wrk(server.port, scenario.path, env, WARM_UP_SECONDS)
        # Saves wrk left in flight when it stopped still finish on the server.
        time.sleep(1)
        versions_before = write_save_rows(fixtures)
        result = wrk(server.port, scenario.path, env, RUN_SECONDS)
        time.sleep(1)
        # Each save answered "done" must have written one new version.
        result["saves_written"] = write_save_rows(fixtures) - versions_before
    elif scenario.mode == "login":
        # The machine is shared: the hash rate is measured right before and
        # after the logins, and the two averaged.
        wrk(server.port, scenario.path, env, WARM_UP_SECONDS)
        rate_before = argon2_verify_rate()
        result = wrk(server.port, scenario.path, env, RUN_SECONDS)
        hash_rate = (rate_before + argon2_verify_rate()) / 2
        say(f"Argon2id : {hash_rate:.1f} vérifications/s sur un cœur")
    else:
        wrk(server.port, scenario.path, env, WARM_UP_SECONDS)
        result = wrk(server.port, scenario.path, env, RUN_SECONDS)
    return result, hash_rate


def check_a_save(browser, token, account):
    """One save through HTTP before the load: it must answer with the redirect
    of a done save and really write the new values and version."""
    form = {
        "csrfmiddlewaretoken": token,
        "civilite": "madame",
        "last_name": "CHARGE",
        "first_name": f"Vérification {account.version + 1}",
        "email": account.email,
        "version": account.version,
    }
    status, headers, _page = browser.request("POST", f"/organisme/comptes/{account.pk}/modifier/", form)
    account.refresh_from_db()
    if status != 302 or account.first_name != form["first_name"] or account.version != form["version"] + 1:
        sys.exit(f"L’enregistrement d’essai n’a pas abouti ({status}).")
    status, _headers, page = browser.request("GET", headers["Location"])
    if "a bien été modifié" not in page:
        sys.exit("L’enregistrement d’essai n’a pas affiché son message de succès.")


def wrk(port, path, env, seconds):
    command = [
        "wrk",
        f"--threads={WRK_THREADS}",
        f"--connections={WRK_CONNECTIONS}",
        f"--duration={seconds}s",
        "--timeout=10s",
        f"--script={LUA}",
        f"http://127.0.0.1:{port}{path}",
    ]
    output = subprocess.run(
        command, env=os.environ | env | {"BENCH_THREADS": str(WRK_THREADS)}, capture_output=True, text=True, check=True
    ).stdout
    raw = json.loads(re.search(r"^BENCH_RESULT (.*)$", output, re.M).group(1))
    return raw | {
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
    }


def query_counts(fixtures, browsers):
    """Database queries of one request to each page, through Django's test
    client on the same database and with the sessions the load used, once the
    page has been seen (as under load)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    # The servers ran with production settings, whose cookies carry the
    # __Host- prefix (config/settings.py); this process runs in development,
    # with Django's names for them.
    local_cookie_names = {
        settings.HOST_SESSION_COOKIE_NAME: settings.SESSION_COOKIE_NAME,
        settings.HOST_CSRF_COOKIE_NAME: settings.CSRF_COOKIE_NAME,
    }

    def logged_in(session):
        client = Client()
        for name, value in browsers[session].cookies.items():
            client.cookies[local_cookie_names.get(name, name)] = value
        return client

    def count(scenario, request, prepare=lambda: None):
        prepare()
        request()
        prepare()
        with CaptureQueriesContext(connection) as queries:
            response = request()
        # A count of a redirect to the login page would say nothing of the page.
        if response.status_code != scenario.expect:
            sys.exit(f"Comptage des requêtes de « {scenario.label} » : réponse {response.status_code}.")
        return len(queries)

    counts = {}
    for scenario in scenarios(fixtures):
        if scenario.mode == "login":
            counts[scenario.key] = count(
                scenario,
                lambda path=scenario.path: Client().post(
                    path,
                    {"identifiant": fixtures["login_identifiants"][0], "password": fixtures["password"]},
                ),
            )
        elif scenario.mode == "save":
            client = logged_in("manager")
            account = User.objects.filter(
                organisme_id=fixtures["manager_organisme_pk"], kind=User.Kind.SECONDARY
            ).latest("pk")

            def save(client=client, account=account):
                return client.post(
                    f"/organisme/comptes/{account.pk}/modifier/",
                    {
                        "civilite": "madame",
                        "last_name": "CHARGE",
                        "first_name": f"Essai {account.version + 1}",
                        "email": account.email,
                        "version": account.version,
                    },
                )

            counts[scenario.key] = count(scenario, save, prepare=account.refresh_from_db)
        else:
            client = logged_in(scenario.session) if scenario.session else Client()
            counts[scenario.key] = count(scenario, lambda client=client, path=scenario.path: client.get(path))
    return counts


# The report


def machine():
    cpuinfo = Path("/proc/cpuinfo").read_text()
    meminfo = Path("/proc/meminfo").read_text()
    return {
        "cpu": re.search(r"model name\s*:\s*(.*)", cpuinfo).group(1),
        "cores": os.cpu_count(),
        "ram_gib": int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1)) / 1024 / 1024,
        "os": platform.platform(),
    }


def versions():
    import django
    import gunicorn
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout.split()[1]
    return {
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "wrk": wrk_version,
        "database": database,
        "database_vendor": connection.vendor,
    }


def verdict(holds):
    return "yes" if holds else "**no**"


def render(report):
    small, large = (report["results"][size] for size in SIZES)
    small_size, large_size = (f"{size:,}" for size in SIZES)
    lines = [
        f"Measured on {report['versions']['database']}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
        f"`make bench` took {report['total_seconds'] / 60:.1f} min "
        f"(generating the organismes added for {large_size}: {large['generation_seconds']:.0f} s).",
        "",
        "| Page | Organismes | req/s | p50 ms | p95 ms | p99 ms | Queries/req | Throughput ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, label in small["labels"].items():
        for size in SIZES:
            page = report["results"][size]["pages"][key]
            bare = report["results"][size]["pages"]["bare"]["rps"]
            hash_rate = report["results"][size]["hash_rate"]
            if key == "login":
                ratio = f"{page['rps'] / (hash_rate * WORKERS):.0%} of raw hash x {WORKERS}"
            elif key == "bare":
                ratio = "ceiling"
            else:
                ratio = f"{page['rps'] / bare:.0%} of bare view"
            unexpected = f" ({page['unexpected']} unexpected)" if page["unexpected"] or page["socket_errors"] else ""
            lines.append(
                f"| {label}{unexpected} | {size:,} | {page['rps']:.1f} | {page['p50_ms']:.1f} | "
                f"{page['p95_ms']:.1f} | {page['p99_ms']:.1f} | {page['queries']} | {ratio} |"
            )

    rates = [report["results"][size]["hash_rate"] for size in SIZES]
    saves = [report["results"][size]["pages"]["save"] for size in SIZES]
    lines += [
        "",
        "Saves answered as done / new versions written: "
        + ", ".join(
            f"{save['ok']} / {save['saves_written']} at {size:,} organismes"
            for size, save in zip(SIZES, saves, strict=True)
        )
        + ".",
        "",
        "Raw Argon2id verification (m = 19 MiB, t = 2, p = 1, argon2-cffi in-process, measured just before and "
        "after the logins): "
        + ", ".join(
            f"**{rate:.1f}/s on one core** at {size:,} organismes ({rate * WORKERS:.1f}/s on {WORKERS} cores)"
            for size, rate in zip(SIZES, rates, strict=True)
        )
        + ".",
        "",
        "| Target | Measured | Holds |",
        "|---|---|---|",
    ]
    for size in SIZES:
        login = report["results"][size]["pages"]["login"]["rps"]
        hash_rate = report["results"][size]["hash_rate"]
        lines.append(
            f"| Login ≥ 80% of raw verify rate x {WORKERS} ({size:,} organismes) | "
            f"{login:.1f} / {hash_rate * WORKERS:.1f} = {login / (hash_rate * WORKERS):.0%} | "
            f"{verdict(login >= 0.8 * hash_rate * WORKERS)} |"
        )
        lines.append(
            f"| Login > 30/s per vCPU ({size:,} organismes) | {login / WORKERS:.1f}/s per vCPU | "
            f"{verdict(login / WORKERS > 30)} |"
        )
    for key in PAGE_KEYS:
        label = small["labels"][key]
        worst = min(
            report["results"][size]["pages"][key]["rps"] / report["results"][size]["pages"]["bare"]["rps"]
            for size in SIZES
        )
        lines.append(
            f"| {label}: ≥ 40% of the bare view | {worst:.0%} (lower of the two sizes) | {verdict(worst >= 0.4)} |"
        )
        growth = large["pages"][key]["p50_ms"] / small["pages"][key]["p50_ms"]
        lines.append(
            f"| {label}: p50 at {large_size} ≤ 1.3 x p50 at {small_size} | x {growth:.2f} | {verdict(growth <= 1.3)} |"
        )
        queries = [report["results"][size]["pages"][key]["queries"] for size in SIZES]
        same = verdict(queries[0] == queries[1])
        lines.append(f"| {label}: same queries at both sizes | {queries[0]} and {queries[1]} | {same} |")
    for size in SIZES:
        rss = report["results"][size]["worker_rss_mb"]
        lines.append(
            f"| Worker RSS < 150 MB after the run ({size:,} organismes) | "
            f"{', '.join(f'{mb:.0f} MB' for mb in rss)} | {verdict(max(rss) < 150)} |"
        )
    machine_info, version_info = report["machine"], report["versions"]
    lines += [
        "",
        f"- Machine: {machine_info['cpu']}, {machine_info['cores']} cores, {machine_info['ram_gib']:.1f} GiB RAM "
        f"({machine_info['os']}).",
        f"- Versions: Python {version_info['python']}, Django {version_info['django']}, "
        f"{version_info['database']}, gunicorn {version_info['gunicorn']}, wrk {version_info['wrk']}.",
        f"- Parameters: gunicorn {WORKERS} sync workers; wrk {WRK_THREADS} thread, {WRK_CONNECTIONS} connections, "
        f"{WARM_UP_SECONDS} s warm-up then {RUN_SECONDS} s per page; a compte secondaire saved with the version "
        f"it was read at, {LOGIN_ACCOUNTS} accounts logging in in turn; the Comptes utilisateurs pages are those "
        f"of an organisme with {BENCH_SECONDARY_ACCOUNTS} comptes secondaires ({ACCOUNTS_PAGE_SIZE} a page).",
    ]
    return "\n".join(lines) + "\n"


def render_trial(report):
    lines = [
        "| Page | Organismes | req/s | p50 ms | Queries/req | Throughput ratio |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for size, result in report["results"].items():
        bare, hash_rate = result["pages"]["bare"]["rps"], result["hash_rate"]
        for key, label in result["labels"].items():
            page = result["pages"][key]
            ceiling = hash_rate * WORKERS if key == "login" else bare
            lines.append(
                f"| {label} | {size:,} | {page['rps']:.1f} | {page['p50_ms']:.1f} | {page['queries']} | "
                f"{page['rps'] / ceiling:.0%} |"
            )
    return "\n".join(lines)


START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def write_doc(table):
    text = DOC.read_text()
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    DOC.write_text(f"{before}{START}\n{table}{END}{after}")


if __name__ == "__main__":
    main()
