import pytest

from passkeys.models import Passkey
from tests.passkeys.recorded import RESPONSES, add


@pytest.fixture(autouse=True)
def _recorded_relying_party(settings):
    """sigma served where the responses were made."""
    settings.SIGMA_BASE_URL = RESPONSES["origin"]


@pytest.fixture
def enrol(client_of, client):
    """`enrol(account, holder="own")`: the account with the recorded passkey
    of `holder`, added through Mon compte; the client signed out again."""

    def enrol_(account, holder="own"):
        client_of(account)
        assert add(client, holder).status_code == 302
        client.logout()
        # A first second factor ends the account's other sessions: as read now.
        account.refresh_from_db()
        return Passkey.objects.get(user=account)

    return enrol_
