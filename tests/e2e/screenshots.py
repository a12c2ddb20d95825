"""`make screenshots`: a PNG of every main page of both roles at 1280 px and
375 px wide, for review. It serves sigma on a temporary SQLite database loaded
with the demo data, drives Debian's Chromium through the pages listed in
tests/screens.py and prints the folder."""

import itertools
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "var" / "screenshots"
WIDTHS = (1280, 375)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def log_in(page, identifiant, password, code=None):
    page.goto("/connexion/")
    page.get_by_label("Identifiant").fill(identifiant)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    page.wait_for_load_state()
    if code is not None:
        page.get_by_label("Code de vérification").fill(code())
        page.get_by_role("button", name="Valider").click()
        page.wait_for_load_state()


def shoot(browser, base_url, roles):
    """`roles`: (identifiant or None, second-factor code or None, [(name, path)])."""
    from tests.screens import DEMO_PASSWORD

    for width in WIDTHS:
        context = browser.new_context(base_url=base_url, locale="fr-FR", viewport={"width": width, "height": 900})
        page = context.new_page()
        for identifiant, code, screens in roles:
            context.clear_cookies()
            if identifiant:
                log_in(page, identifiant, DEMO_PASSWORD, code)
            for name, path in screens:
                page.goto(path)
                page.screenshot(path=OUTPUT / f"{name}-{width}.png", full_page=True)
        context.close()


def demo_roles():
    """What each role shows, read from the demo database this process points at."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.screens import PRIMARY, REGION_AGENT, anonymous_screens, organisme_screens, region_screens
    from tests.two_factor import totp_code

    agent_key = TOTPDevice.objects.get(user__identifiant=REGION_AGENT, confirmed=True).key
    # A code is accepted once: each login (one per width) takes the next 30-second step.
    steps = itertools.count()
    return [
        (None, None, anonymous_screens()),
        (PRIMARY, None, organisme_screens()),
        (
            REGION_AGENT,
            lambda: totp_code(agent_key, steps_from_now=next(steps)),
            [*region_screens(), ("guide-de-style", "/dev/styleguide/")],
        ),
    ]


def main():
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        environment = os.environ | {
            "SIGMA_ENV": "development",
            "DATABASE_URL": f"sqlite:///{folder}/screenshots.sqlite3",
            "MAIL_FOLDER": f"{folder}/mail",
        }
        manage = [sys.executable, "manage.py"]
        quiet = {"cwd": ROOT, "env": environment, "check": True, "stdout": subprocess.DEVNULL}
        # Fixed commands of this project, nothing from outside (S603).
        subprocess.run([*manage, "migrate", "--noinput"], **quiet)  # noqa: S603
        subprocess.run([*manage, "load_demo"], **quiet)  # noqa: S603
        os.environ.update(environment | {"DJANGO_SETTINGS_MODULE": "config.settings"})
        roles = demo_roles()
        port = free_port()
        server = subprocess.Popen(  # noqa: S603
            [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_for(port)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
                shoot(browser, base_url, roles)
                browser.close()
        finally:
            server.terminate()
            server.wait()
    print(f"Captures d’écran : {OUTPUT}/")


if __name__ == "__main__":
    main()
