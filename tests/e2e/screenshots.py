"""`make screenshots`: a PNG of each main page at 1280 px and 320 px wide, for
review. It serves sigma on a temporary SQLite database loaded with the demo
data, drives Debian's Chromium through the pages and prints the folder."""

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
DEMO_PASSWORD = "Demo-Sigma-2026!"
WIDTHS = (1280, 320)


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


def log_in(page, identifiant):
    page.goto("/connexion/")
    page.get_by_label("Identifiant").fill(identifiant)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def organisme_pages(page):
    """(name, path) of the pages a compte principal sees."""
    page.goto("/actions/")
    bdc = page.locator("main table tbody a").first.get_attribute("href")
    return [
        ("accueil", "/"),
        ("fiche-organisme", "/organisme/fiche/"),
        ("comptes", "/organisme/comptes/"),
        ("creation-compte", "/organisme/comptes/nouveau/"),
        ("mon-compte", "/mon-compte/modifications/"),
        ("bon-de-commande", bdc),
    ]


def region_pages(page):
    page.goto("/region/?q=organisme+test")
    organisme = page.locator("#organismes table tbody a").first.get_attribute("href")
    return [("espace-region", "/region/"), ("espace-region-organisme", organisme)]


def shoot(browser, base_url):
    for width in WIDTHS:
        context = browser.new_context(base_url=base_url, locale="fr-FR", viewport={"width": width, "height": 900})
        page = context.new_page()
        shots = [("connexion", "/connexion/")]
        for name, path in shots:
            page.goto(path)
            page.screenshot(path=OUTPUT / f"{name}-{width}.png", full_page=True)
        for identifiant, pages in (("66bdj5zw4x", organisme_pages), ("agent.region", region_pages)):
            context.clear_cookies()
            log_in(page, identifiant)
            for name, path in pages(page):
                page.goto(path)
                page.screenshot(path=OUTPUT / f"{name}-{width}.png", full_page=True)
        context.close()


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
                shoot(browser, base_url)
                browser.close()
        finally:
            server.terminate()
            server.wait()
    print(f"Captures d'écran : {OUTPUT}/")


if __name__ == "__main__":
    main()
