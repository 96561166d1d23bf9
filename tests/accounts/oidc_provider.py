"""A small OpenID Connect provider for the tests: a real HTTP server on 127.0.0.1 (a random
port, in a thread), so the app's single sign-on talks HTTP to it as to Entra ID.

It signs in whoever the test says (``provider.person``): the authorization endpoint sends the
browser straight back with a code and the state; the token endpoint swaps the code (once,
with the client's secret and the PKCE verifier) for an RS256 ID token carrying the nonce;
userinfo and JWKS answer as a real provider's do. ``provider.tamper`` spoils the next ID token
on purpose: "signature" (signed with another key under the same key id), "nonce", "audience"
or "issuer".
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "ombudsman-tracker"
CLIENT_SECRET = "loopback-client-secret"
KEY_ID = "loopback-key-1"


@dataclass
class Person:
    """Who signs in at the provider, and what the provider says about it."""

    email: str
    sub: str = "0f3c5a1e-person"
    amr: list[str] = field(default_factory=lambda: ["pwd"])
    email_verified: bool | None = True


@dataclass
class _Grant:
    person: Person
    nonce: str
    redirect_uri: str
    code_challenge: str


def _new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class OpenIDProvider:
    def __init__(self):
        self.key = _new_key()
        self.other_key = _new_key()  # signs a forged token under the real key's id
        self.person: Person | None = None
        self.tamper: str | None = None
        self.codes: dict[str, _Grant] = {}
        self.access_tokens: dict[str, Person] = {}
        self.requests: list[str] = []  # "METHOD /path", in order
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def reset(self):
        self.person, self.tamper = None, None
        self.codes.clear()
        self.access_tokens.clear()
        self.requests.clear()

    def settings(self) -> dict:
        """The app's settings for signing in here."""
        return {
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.url}/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.url}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.url}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.url}/jwks",
            "OIDC_OP_ISSUER": self.url,
            "OIDC_RP_SIGN_ALGO": "RS256",
        }

    # --- Endpoints --------------------------------------------------------------------------

    def authorize(self, query: dict) -> tuple[int, dict, dict | None]:
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            return 400, {}, {"error": "unauthorized_client"}
        if "openid" not in query.get("scope", "").split() or self.person is None:
            return 400, {}, {"error": "invalid_request"}
        code = secrets.token_urlsafe(16)
        self.codes[code] = _Grant(
            person=self.person,
            nonce=query.get("nonce", ""),
            redirect_uri=query["redirect_uri"],
            code_challenge=query.get("code_challenge", ""),
        )
        back = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
        return 302, {"Location": back}, None

    def token(self, form: dict) -> tuple[int, dict, dict]:
        grant = self.codes.pop(form.get("code", ""), None)
        if (
            form.get("client_id") != CLIENT_ID
            or form.get("client_secret") != CLIENT_SECRET
            or form.get("grant_type") != "authorization_code"
        ):
            return 401, {}, {"error": "invalid_client"}
        if (
            grant is None
            or form.get("redirect_uri") != grant.redirect_uri
            or _s256(form.get("code_verifier", "")) != grant.code_challenge
        ):
            return 400, {}, {"error": "invalid_grant"}
        access_token = secrets.token_urlsafe(16)
        self.access_tokens[access_token] = grant.person
        body = {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": self.id_token(grant),
        }
        return 200, {}, body

    def id_token(self, grant: _Grant) -> str:
        now = int(time.time())
        claims = {
            "iss": self.url,
            "sub": grant.person.sub,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant.nonce,
            "email": grant.person.email,
            "amr": grant.person.amr,
        }
        key = self.key
        if self.tamper == "signature":
            key = self.other_key
        elif self.tamper == "nonce":
            claims["nonce"] = "not-the-nonce-the-app-sent"
        elif self.tamper == "audience":
            claims["aud"] = "another-app"
        elif self.tamper == "issuer":
            claims["iss"] = "https://impostor.example"
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KEY_ID})

    def userinfo(self, authorization: str) -> tuple[int, dict, dict]:
        person = self.access_tokens.get(authorization.removeprefix("Bearer "))
        if person is None:
            return 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}, {}
        body = {"sub": person.sub, "email": person.email}
        if person.email_verified is not None:
            body["email_verified"] = person.email_verified
        return 200, {}, body

    def jwks(self) -> tuple[int, dict, dict]:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return 200, {}, {"keys": [{**public, "kid": KEY_ID, "alg": "RS256", "use": "sig"}]}


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _single_values(query: str) -> dict:
    return {name: values[0] for name, values in parse_qs(query).items()}


def _handler_for(provider: OpenIDProvider):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            url = urlsplit(self.path)
            provider.requests.append(f"GET {url.path}")
            if url.path == "/authorize":
                self._send(*provider.authorize(_single_values(url.query)))
            elif url.path == "/userinfo":
                self._send(*provider.userinfo(self.headers.get("Authorization", "")))
            elif url.path == "/jwks":
                self._send(*provider.jwks())
            else:
                self._send(404, {}, {"error": "not_found"})

        def do_POST(self):
            url = urlsplit(self.path)
            provider.requests.append(f"POST {url.path}")
            length = int(self.headers.get("Content-Length", 0))
            form = _single_values(self.rfile.read(length).decode())
            if url.path == "/token":
                self._send(*provider.token(form))
            else:
                self._send(404, {}, {"error": "not_found"})

        def _send(self, status, headers, body):
            payload = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format, *args):
            pass  # quiet: the tests assert on provider.requests instead

    return Handler
