"""What a user does on the login page, shared by the login and lockout tests."""

import html
import re

from tests.pages import squeeze

LOGIN_URL = "/connexion/"


def log_in(client, identifiant, password, url=LOGIN_URL):
    return client.post(url, {"identifiant": identifiant, "password": password})


def error_text(response):
    """The login form's error block, as a reader sees it (no CSRF token, no typed identifiant)."""
    match = re.search(r'<div[^>]*id="form-errors"[^>]*>(.*?)</div>', response.content.decode(), re.S)
    assert match, "the page shows no error"
    return squeeze(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))))


def is_logged_in(client):
    return client.get("/").status_code == 200
