"""The OpenID Connect side of ProConnect, through Authlib.

Authlib (rather than mozilla-django-oidc) because sigma needs the flow's
parts, not a ready-made authentication backend that creates or matches
accounts by e-mail: Authlib gives discovery, PKCE (S256), the state, nonce and
code verifier kept in the session and dropped at first use, the token request,
the JWKS fetched again when a token names a key it does not know (key
rotation), ID-token claim checks (issuer, audience, expiry, nonce, at_hash)
and the end-session URL; its JOSE layer (joserfc) verifies the signed
userinfo JWT, which mozilla-django-oidc does not read.

Every failure is a ProConnectError carrying the French sentence to show.
"""

import dataclasses
import functools
import json
import logging
from typing import Any

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import OAuth
from authlib.oidc.core import CodeIDToken
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

logger = logging.getLogger(__name__)

SCOPES = "openid given_name usual_name email uid siret"
ONE_FACTOR_ACR = "eidas1"
# The acr values ProConnect returns for a sign-in with two factors (its
# partners' documentation, "Double authentification").
TWO_FACTOR_ACRS = (
    "eidas2",
    "eidas3",
    "https://proconnect.gouv.fr/assurance/self-asserted-2fa",
    "https://proconnect.gouv.fr/assurance/consistency-checked-2fa",
)
# Leeway on exp/iat for clocks a little apart.
CLOCK_LEEWAY_SECONDS = 60


class ProConnectError(Exception):
    """A sign-in that cannot go on; str() is the French sentence for the user."""

    status = 400


class ProConnectUnavailable(ProConnectError):
    status = 503


@dataclasses.dataclass(frozen=True)
class Identity:
    """Who ProConnect says signed in, once every signature and claim is checked."""

    sub: str
    email: str
    given_name: str
    usual_name: str
    uid: str
    siret: str
    acr: str
    id_token: str

    @property
    def two_factor(self) -> bool:
        return self.acr in TWO_FACTOR_ACRS


def is_configured() -> bool:
    return bool(
        settings.PROCONNECT_DISCOVERY_URL and settings.PROCONNECT_CLIENT_ID and settings.PROCONNECT_CLIENT_SECRET
    )


def _client():
    return _client_for(
        settings.PROCONNECT_DISCOVERY_URL,
        settings.PROCONNECT_CLIENT_ID,
        settings.PROCONNECT_CLIENT_SECRET,
        settings.PROCONNECT_TIMEOUT_SECONDS,
    )


@functools.cache
def _client_for(discovery_url: str, client_id: str, client_secret: str, timeout: float):
    # One client per configuration: it keeps the discovery document and keys.
    oauth = OAuth()
    return oauth.register(
        "proconnect",
        server_metadata_url=discovery_url,
        client_id=client_id,
        client_secret=client_secret,
        client_kwargs={
            "scope": SCOPES,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "client_secret_post",
            "default_timeout": timeout,
        },
    )


def _unavailable() -> ProConnectUnavailable:
    return ProConnectUnavailable(
        "ProConnect ne répond pas pour le moment. Veuillez réessayer plus tard, ou vous connecter "
        "avec votre identifiant et votre mot de passe SIGMA."
    )


def _refused(reason: object = "") -> ProConnectError:
    # The operators' log says why; the user's page does not.
    logger.warning("ProConnect sign-in refused: %s", reason or "invalid response")
    return ProConnectError(
        "La connexion avec ProConnect n’a pas pu être vérifiée. Aucune connexion n’a été ouverte ; "
        "veuillez recommencer depuis la page d’authentification."
    )


def authorization_redirect(request: HttpRequest, redirect_uri: str, *, two_factor: bool = False) -> HttpResponse:
    """Send the browser to ProConnect; with `two_factor`, ask for a sign-in
    with two factors through the `claims` parameter, as ProConnect documents."""
    params = {"acr_values": ONE_FACTOR_ACR}
    if two_factor:
        acr = {"essential": True, "values": list(TWO_FACTOR_ACRS)}
        params = {"claims": json.dumps({"id_token": {"acr": acr}}), "prompt": "login"}
    try:
        return _client().authorize_redirect(request, redirect_uri, **params)
    except (requests.RequestException, ValueError, RuntimeError) as error:
        # RuntimeError: Authlib's word for a discovery document without an endpoint.
        raise _unavailable() from error


def _decode(token: str, *, key_set_loader, algorithms) -> jwt.Token:
    """Verify the signature of `token` with the provider's keys, fetching them
    again once if it names a key not seen yet (the provider rotated them)."""
    registry = JWSRegistry(algorithms=algorithms)
    try:
        return jwt.decode(token, KeySet.import_key_set(key_set_loader(False)), registry=registry)
    except InvalidKeyIdError:
        return jwt.decode(token, KeySet.import_key_set(key_set_loader(True)), registry=registry)


def finish(request: HttpRequest) -> Identity:
    """The callback: check the state against this session (used up whatever
    happens), exchange the code with its PKCE verifier, verify the ID token
    and the signed userinfo, and return who signed in."""
    client = _client()
    state_data, code = _take_state(request, client.framework)
    try:
        metadata = client.load_server_metadata()
        # RFC 9207: a response that names an issuer must name ours.
        if "iss" in request.GET and request.GET["iss"] != metadata["issuer"]:
            raise _refused("issuer mismatch in the authorization response")
        token, claims, userinfo = _verified_tokens(client, metadata, state_data, code)
    except ProConnectError:
        raise
    except (requests.Timeout, requests.ConnectionError) as error:
        raise _unavailable() from error
    except requests.HTTPError as error:
        if error.response is not None and error.response.status_code >= 500:
            raise _unavailable() from error
        raise _refused(error) from error
    except (OAuthError, JoseError, ValueError, KeyError, TypeError, RuntimeError) as error:
        raise _refused(repr(error)) from error
    _check_userinfo(userinfo, sub=claims["sub"], issuer=metadata["issuer"], client_id=client.client_id)
    return Identity(
        sub=claims["sub"],
        email=_text(userinfo, "email"),
        given_name=_text(userinfo, "given_name"),
        usual_name=_text(userinfo, "usual_name"),
        uid=_text(userinfo, "uid"),
        siret=_text(userinfo, "siret"),
        acr=str(claims.get("acr", "")),
        id_token=token["id_token"],
    )


def _take_state(request: HttpRequest, framework: Any) -> tuple[dict, str]:
    """The data this session stored for the callback's `state`, used up here,
    and the authorization code; refused when either is missing."""
    state = request.GET.get("state", "")
    state_data = framework.get_state_data(request.session, state) if state else None
    if state:
        framework.clear_state_data(request.session, state)
    code = request.GET.get("code", "")
    if not state_data or not code or request.GET.get("error"):
        raise _refused(request.GET.get("error") or ("no code" if state_data else "unknown state"))
    return state_data, code


def _verified_tokens(client: Any, metadata: dict, state_data: dict, code: str) -> tuple[dict, Any, dict]:
    """Exchange the code, then verify the ID token and the signed userinfo
    with the provider's keys: the token response, the ID token's claims and
    the userinfo claims."""
    token = client.fetch_access_token(
        code=code, code_verifier=state_data["code_verifier"], redirect_uri=state_data["redirect_uri"]
    )
    id_token = token.get("id_token")
    if not id_token:
        raise _refused("no ID token")
    algorithms = settings.PROCONNECT_SIGNING_ALGORITHMS
    decoded = _decode(id_token, key_set_loader=lambda force: client.fetch_jwk_set(force=force), algorithms=algorithms)
    claims = CodeIDToken(
        decoded.claims,
        decoded.header,
        # Authlib checks the audience only when told to (without it, an
        # azp naming sigma would pass a token meant for another client).
        {
            "iss": {"essential": True, "values": [metadata["issuer"]]},
            "aud": {"essential": True, "values": [client.client_id]},
        },
        {"nonce": state_data["nonce"], "client_id": client.client_id, "access_token": token["access_token"]},
    )
    claims.validate(leeway=CLOCK_LEEWAY_SECONDS)
    response = client.get(metadata["userinfo_endpoint"], token=token)
    response.raise_for_status()
    if response.headers.get("Content-Type", "").split(";")[0].strip() != "application/jwt":
        raise _refused("userinfo not signed")
    userinfo = _decode(
        response.text.strip(), key_set_loader=lambda force: client.fetch_jwk_set(force=force), algorithms=algorithms
    ).claims
    return token, claims, userinfo


def _check_userinfo(userinfo: dict, *, sub: str, issuer: str, client_id: str) -> None:
    if userinfo.get("iss", issuer) != issuer:
        raise _refused("userinfo iss mismatch")
    if userinfo.get("sub") != sub:
        raise _refused("userinfo sub differs from the ID token’s")
    audience = userinfo.get("aud", client_id)
    if client_id not in (audience if isinstance(audience, list) else [audience]):
        raise _refused("userinfo aud mismatch")


def _text(claims: dict, name: str) -> str:
    value = claims.get(name)
    return value.strip() if isinstance(value, str) else ""


def logout_redirect(request: HttpRequest, *, id_token: str, post_logout_redirect_uri: str) -> HttpResponse | None:
    """Send the browser to ProConnect's end-session endpoint, or None when
    ProConnect cannot be reached (sigma's own sign-out is done anyway)."""
    try:
        return _client().logout_redirect(
            request, post_logout_redirect_uri=post_logout_redirect_uri, id_token_hint=id_token
        )
    except (requests.RequestException, ValueError, RuntimeError):
        return None


def is_logout_return(request: HttpRequest) -> bool:
    """Whether this is ProConnect's return from the sign-out sigma asked for."""
    try:
        _client().validate_logout_response(request)
    except OAuthError:
        return False
    return True
