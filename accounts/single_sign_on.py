"""Signing in with the council's identity provider over OpenID Connect, and switching local
passwords off.

Single sign-on is off unless ``OIDC_RP_CLIENT_ID`` is set (settings, "Single sign-on"), which
puts ``SingleSignOnBackend`` in ``AUTHENTICATION_BACKENDS``. The provider vouches for who
someone is; the app decides whether they come in: the email address must be one active
account's. No account is ever created, changed or given a role here, so what a person may do
stays the app's administrators' decision.

Sign-ins through the provider go through ``django.contrib.auth.authenticate`` and ``login``,
so django-axes throttles them (by the client's address: the provider's sign-in has no
username) and ``user_logged_in`` fires as for a password.
"""

import logging

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from .two_factor import IDENTITY_PROVIDER, SECOND_FACTOR_SESSION_KEY

logger = logging.getLogger(__name__)

BACKEND = "accounts.single_sign_on.SingleSignOnBackend"
# The request attribute carrying why the provider's sign-in was refused, for the sign-in page.
REFUSAL = "single_sign_on_refusal"

# The pages that take a local password; while passwords are off their POSTs are refused.
PASSWORD_VIEWS = frozenset(
    {
        "login",
        "password_reset",
        "password_reset_confirm",
        "password_change",
        "admin:login",
        "admin:password_change",
    }
)
BREAK_GLASS_VIEW = "admin:login"


def single_sign_on_enabled() -> bool:
    return BACKEND in settings.AUTHENTICATION_BACKENDS


def sign_in_failed_message() -> str:
    return (
        f"Signing in with {settings.OIDC_PROVIDER_NAME} did not work. Try again, or ask your "
        "Ombudsman Tracker administrator for help."
    )


def amr_counts_as_second_factor(amr) -> bool:
    """Whether the provider's authentication methods (the ID token's ``amr``) stand for the
    app's own second factor: only where an administrator says so
    (``OIDC_AMR_COUNTS_AS_SECOND_FACTOR``), and only for the methods they accept
    (``OIDC_ACCEPTED_AMR``). The claim is the provider's word, so trusting it is a choice."""
    if not settings.OIDC_AMR_COUNTS_AS_SECOND_FACTOR:
        return False
    if isinstance(amr, str):
        amr = [amr]
    if not isinstance(amr, list | tuple):
        return False
    return not set(settings.OIDC_ACCEPTED_AMR).isdisjoint(v for v in amr if isinstance(v, str))


# --- Local passwords ----------------------------------------------------------------------------


def _view_name(request) -> str | None:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match else None


def local_password_accepted(*, user, request) -> bool:
    """Whether ``user`` may sign in with their local password on this request: always while
    ``LOCAL_PASSWORDS`` is on. Once it is off, only a superuser at the admin's sign-in, and
    only where ``LOCAL_PASSWORDS_SUPERUSERS_IN_ADMIN`` says so: the way back in when the
    provider is down or misconfigured, off unless an operator chooses it."""
    if settings.LOCAL_PASSWORDS:
        return True
    return (
        settings.LOCAL_PASSWORDS_SUPERUSERS_IN_ADMIN
        and user.is_superuser
        and _view_name(request) == BREAK_GLASS_VIEW
    )


def local_password_post_refused(request) -> bool:
    """Whether this request posts to a password page while passwords are off. The admin's
    sign-in stays open when superusers may use it; ``local_password_accepted`` then turns
    everyone else away after the password check, so the refusal does not say who is a
    superuser."""
    if settings.LOCAL_PASSWORDS or request.method != "POST":
        return False
    name = _view_name(request)
    if name == BREAK_GLASS_VIEW and settings.LOCAL_PASSWORDS_SUPERUSERS_IN_ADMIN:
        return False
    return name in PASSWORD_VIEWS


class LocalPasswordBackend(ModelBackend):
    """Django's username and password backend, refusing the password where passwords are off.

    Stands in for ``ModelBackend`` (permissions unchanged), so every page that signs in with a
    password obeys ``LOCAL_PASSWORDS``, not only the ones ``LocalPasswordsMiddleware`` knows.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and not local_password_accepted(user=user, request=request):
            logger.warning("Local password refused for user %s: passwords are off", user.pk)
            return None
        return user


class LocalPasswordsMiddleware:
    """While ``LOCAL_PASSWORDS`` is off, a POST to a password page (sign in, reset, change)
    goes back to the sign-in page with a message saying how to sign in instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not local_password_post_refused(request):
            return None
        messages.error(
            request,
            "Passwords are switched off for Ombudsman Tracker. "
            f"Sign in with {settings.OIDC_PROVIDER_NAME} instead.",
        )
        return HttpResponseRedirect(reverse("login"))


# --- The provider's sign-in ---------------------------------------------------------------------


class SingleSignOnBackend(OIDCAuthenticationBackend):
    """Signs in the one active account whose email address the provider vouches for.

    Refusals leave their reason on the request (``REFUSAL``) for the sign-in page. A token
    that fails its checks (signature, nonce, audience, issuer, expiry) or a provider that
    cannot be reached is a refusal too, never a server error.
    """

    def authenticate(self, request, **kwargs):
        # Only the provider's callback signs in here (it passes the nonce it kept); a password
        # form's credentials are another backend's, whatever its query string says.
        if request is None or "nonce" not in kwargs or "password" in kwargs:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (
            SuspiciousOperation,
            requests.RequestException,
            jwt.PyJWTError,
            KeyError,
            ValueError,
        ) as error:
            logger.warning("Single sign-on refused: %s: %s", type(error).__name__, error)
            return None

    def get_or_create_user(self, access_token, id_token, payload):
        """The account to sign in, or None with the reason on the request. Never creates one."""
        if not self.id_token_acceptable(payload):
            return None
        claims = self.get_userinfo(access_token, id_token, payload)
        provider, email = settings.OIDC_PROVIDER_NAME, claims.get("email")
        if not self.verify_claims(claims):
            return self._refused(
                f"{provider} did not confirm your email address, so Ombudsman Tracker cannot "
                "tell which account is yours. Ask your Ombudsman Tracker administrator for help."
            )
        users = list(self.filter_users_by_claims(claims)[:2])
        if not users:
            return self._refused(
                f"There is no active Ombudsman Tracker account for {email}. Ask your "
                "Ombudsman Tracker administrator to set one up, or to reactivate yours."
            )
        if len(users) > 1:
            return self._refused(
                f"More than one Ombudsman Tracker account has the email address {email}, so "
                "you cannot sign in with it. Ask your Ombudsman Tracker administrator to "
                "correct the accounts."
            )
        user = users[0]
        # Read by the callback view once signed in: the ID token's word on how they signed in.
        user.identity_provider_amr = payload.get("amr")
        return user

    def id_token_acceptable(self, payload) -> bool:
        """Whether the (signature-checked) ID token was issued by the configured provider
        (``OIDC_OP_ISSUER``) for this app, and says when it expires. mozilla-django-oidc
        checks neither audience nor issuer itself."""
        audiences = payload.get("aud")
        audiences = [audiences] if isinstance(audiences, str) else audiences
        if not isinstance(audiences, list) or self.OIDC_RP_CLIENT_ID not in audiences:
            logger.warning("Single sign-on refused: the ID token is for %r", audiences)
        elif len(audiences) > 1 and payload.get("azp") != self.OIDC_RP_CLIENT_ID:
            logger.warning("Single sign-on refused: the ID token's azp is not this app")
        elif payload.get("iss") != settings.OIDC_OP_ISSUER:
            logger.warning(
                "Single sign-on refused: the ID token's issuer %r is not OIDC_OP_ISSUER %r",
                payload.get("iss"),
                settings.OIDC_OP_ISSUER,
            )
        elif not isinstance(payload.get("exp"), int | float):
            logger.warning("Single sign-on refused: the ID token has no expiry")
        else:
            return True
        return False

    def get_userinfo(self, access_token, id_token, payload):
        """The userinfo endpoint's claims over the ID token's. Both must be about the same
        person (OpenID Connect Core 5.3.2)."""
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The userinfo subject is not the ID token's")
        return {**payload, **userinfo}

    def verify_claims(self, claims) -> bool:
        """An email address, and verified where the provider says whether it is."""
        return bool(claims.get("email")) and claims.get("email_verified", True) in (True, "true")

    def filter_users_by_claims(self, claims):
        """Active accounts with the email address, in any case: a deactivated duplicate does
        not stand in the way of the account in use."""
        return self.UserModel.objects.filter(email__iexact=claims["email"], is_active=True)

    def create_user(self, claims):
        """Never: accounts and their roles are the app's administrators' to give."""
        raise PermissionDenied("Single sign-on does not create accounts")

    def get_user(self, user_id):
        """As ``ModelBackend``: a deactivated user's session ends on their next request."""
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def _refused(self, message: str):
        setattr(self.request, REFUSAL, message)
        logger.info("Single sign-on refused: %s", message)
        return None


class SignInStartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider to sign in; not found while single sign-on is off."""

    def dispatch(self, request, *args, **kwargs):
        if not single_sign_on_enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class SignInCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: signs in, or returns to the sign-in page
    saying why not."""

    @property
    def failure_url(self):
        return reverse("login")

    def dispatch(self, request, *args, **kwargs):
        if not single_sign_on_enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        if "error" in request.GET and request.user.is_authenticated:
            # mozilla-django-oidc signs the user out here (for a session refresh this app does
            # not use): a link must not sign anyone out.
            return HttpResponseRedirect(resolve_url(settings.LOGIN_REDIRECT_URL))
        try:
            return super().get(request)
        except SuspiciousOperation as error:  # a state this session never sent: replayed, forged
            logger.warning("Single sign-on refused: %s", error)
            return self.login_failure()

    def login_failure(self):
        messages.error(self.request, getattr(self.request, REFUSAL, sign_in_failed_message()))
        return super().login_failure()

    def login_success(self):
        response = super().login_success()
        if amr_counts_as_second_factor(getattr(self.user, "identity_provider_amr", None)):
            self.request.session[SECOND_FACTOR_SESSION_KEY] = IDENTITY_PROVIDER
        return response
