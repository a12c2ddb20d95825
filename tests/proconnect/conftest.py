import pytest
from django.urls import reverse

from tests.oidc_provider.provider import CLIENT_ID, CLIENT_SECRET, Provider, path_of


@pytest.fixture(scope="session")
def oidc_provider():
    """The ProConnect-like provider for Django's test client (http://testserver)."""
    provider = Provider(base_url="http://testserver").start()
    yield provider
    provider.stop()


class ProConnectFlow:
    """A person's ProConnect sign-in through sigma (the test client) and the
    real provider's login page."""

    def __init__(self, client, provider):
        self.client = client
        self.provider = provider

    def start(self) -> str:
        response = self.client.post(reverse("proconnect:start"))
        assert response.status_code == 302, response.content.decode()[:500]
        return response["Location"]

    def provider_return(self, email: str, **kwargs) -> str:
        """sigma's callback URL as ProConnect sends the browser back."""
        return path_of(self.provider.sign_in(self.start(), email=email, **kwargs))

    def sign_in(self, email: str, **kwargs):
        return self.client.get(self.provider_return(email, **kwargs))


@pytest.fixture
def proconnect(settings, oidc_provider, client):
    settings.SIGMA_BASE_URL = "http://testserver"
    settings.PROCONNECT_DISCOVERY_URL = oidc_provider.discovery_url
    settings.PROCONNECT_CLIENT_ID = CLIENT_ID
    settings.PROCONNECT_CLIENT_SECRET = CLIENT_SECRET
    settings.PROCONNECT_TIMEOUT_SECONDS = 2
    oidc_provider.reset()
    return ProConnectFlow(client, oidc_provider)


@pytest.fixture
def django_app_client():
    """A second browser, with its own session."""
    from django.test import Client

    return Client()
