import pytest
from django.core import mail


@pytest.fixture
def development_mail_folder(settings, tmp_path):
    settings.MAIL_FOLDER = tmp_path
    settings.MAILERS = {"default": {"BACKEND": "core.mail_backends.MailFolderBackend"}}
    settings.DEV_MAIL_VIEWER = True
    return tmp_path


def test_development_mail_folder_keeps_each_email_for_the_browser(client, db, development_mail_folder):
    mail.send_mail("SIGMA - Essai", "Cliquez sur http://127.0.0.1:8000/acces/abc/", None, ["aa@aa.fr"])

    [saved] = development_mail_folder.glob("*.eml")
    listing = client.get("/dev/mail/").text
    assert "SIGMA - Essai" in listing
    assert "aa@aa.fr" in listing
    assert f"/dev/mail/{saved.name}/" in listing

    detail = client.get(f"/dev/mail/{saved.name}/").text
    assert '<a href="http://127.0.0.1:8000/acces/abc/"' in detail
    assert client.get("/dev/mail/../../etc/passwd/").status_code == 404


def test_mail_viewer_does_not_exist_outside_development(client, db, development_mail_folder, settings):
    mail.send_mail("SIGMA - Essai", "corps", None, ["aa@aa.fr"])
    settings.DEV_MAIL_VIEWER = False
    assert client.get("/dev/mail/").status_code == 404
