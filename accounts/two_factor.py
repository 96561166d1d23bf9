"""Two factors at sign-in: who needs one, whether this session has passed it, and the changes
to a user's second factors (an authenticator app, recovery codes, security keys).

Whether a session has passed is asked of ``second_factor_passed`` alone: a device verified in
this session (django-otp), or a sign-in through the council's identity provider whose MFA
claim counts, which the single sign-on marks with ``SECOND_FACTOR_SESSION_KEY``.
"""

import math
import operator
import re
import time
from base64 import b32encode
from dataclasses import dataclass
from functools import reduce

import segno
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists
from django.utils import timezone
from django_otp import device_classes, devices_for_user
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex
from django_otp_webauthn.models import WebAuthnCredential

from ombudsman_tracker.formats import counted
from ombudsman_tracker.history import save_with_history

# The single sign-on sets this to IDENTITY_PROVIDER when the provider's MFA claim counts.
SECOND_FACTOR_SESSION_KEY = "second_factor_by"
IDENTITY_PROVIDER = "identity_provider"

AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_CODES_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10
# The secret of an authenticator being set up: a device is saved only once a code proves it.
PENDING_KEY_SESSION_KEY = "two_factor_pending_key"

# What a signed-in user who has not passed the second factor may still reach: the steps that
# get them there, signing out, the security key ceremony that verifies them, and the calendar
# feeds (a calendar program has a token, not a session). Views by URL name.
ALLOWED_BEFORE_SECOND_FACTOR = frozenset(
    {
        "login",
        "logout",
        "accounts:two_factor_enrol",
        "accounts:two_factor_verify",
        "otp_webauthn:credential-authentication-begin",
        "otp_webauthn:credential-authentication-complete",
        "otp_webauthn:js-i18n-catalog",
        "reminders:calendar_mine",
        "reminders:calendar_organisation",
        # A personal link to acknowledge learning: its signed token is the credential.
        "learning:acknowledge_link",
        # mozilla-django-oidc's: the single sign-on decides about the second factor itself.
        "oidc_authentication_init",
        "oidc_authentication_callback",
        "oidc_logout",
    }
)

_AUTHENTICATOR_CODE = re.compile(r"[0-9]{6}")


# --- Who must, and who has -----------------------------------------------------------------


def second_factor_required(user) -> bool:
    """Staff and superusers, and every role that can read case data
    (``TWO_FACTOR_REQUIRED_GROUPS``), must pass a second factor."""
    if not settings.TWO_FACTOR_REQUIRED or not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    return user.groups.filter(name__in=settings.TWO_FACTOR_REQUIRED_GROUPS).exists()


def second_factor_passed(request) -> bool:
    """Whether this session has passed a second factor: a device verified here, or the
    council's identity provider vouching for one."""
    is_verified = getattr(request.user, "is_verified", None)
    if is_verified is not None and is_verified():
        return True
    return request.session.get(SECOND_FACTOR_SESSION_KEY) == IDENTITY_PROVIDER


def has_second_factor(user) -> bool:
    """Whether the user has set up any second factor, in one query (django-otp's
    ``user_has_device`` asks each kind of device in turn, and this runs on every request)."""
    kinds = [
        Exists(model.objects.filter(user=user.pk, confirmed=True)) for model in device_classes()
    ]
    return get_user_model().objects.filter(reduce(operator.or_, kinds), pk=user.pk).exists()


def second_factor_step(request) -> str | None:
    """The URL name of the step a signed-in user must take before anything else: the code
    (they have a device) or setting one up (they need one and have none); None when done.

    A user who set up a device of their own accord is asked for its code too.
    """
    user = request.user
    if not settings.TWO_FACTOR_REQUIRED or not user.is_authenticated:
        return None
    if second_factor_passed(request):
        return None
    if has_second_factor(user):
        return "accounts:two_factor_verify"
    if second_factor_required(user):
        return "accounts:two_factor_enrol"
    return None


def allowed_before_second_factor(request) -> bool:
    match = request.resolver_match
    if match is not None and match.view_name in ALLOWED_BEFORE_SECOND_FACTOR:
        return True
    return request.path.startswith(f"/{settings.STATIC_URL.lstrip('/')}")


# --- Authenticator apps (TOTP) --------------------------------------------------------------


def authenticator_pending(session, *, user) -> TOTPDevice:
    """The authenticator being set up, unsaved: its secret is kept in the session, so the QR
    code stays the same while the user scans it and nothing is stored until a code works."""
    key = session.get(PENDING_KEY_SESSION_KEY)
    if not key:
        key = session[PENDING_KEY_SESSION_KEY] = random_hex(20)
    return TOTPDevice(user=user, name=AUTHENTICATOR_NAME, key=key, confirmed=False)


def authenticator_confirm(session, *, device: TOTPDevice, code: str) -> bool:
    """Save ``device`` if ``code`` is one it shows now. Its time step is recorded as used, so
    the same code cannot sign in again."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not _AUTHENTICATOR_CODE.fullmatch(code) or not totp.verify(int(code), device.tolerance):
        return False
    device.last_t, device.drift = totp.t(), totp.drift
    device.confirmed = True
    device.save()
    session.pop(PENDING_KEY_SESSION_KEY, None)
    return True


def secret_for_manual_entry(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for apps that cannot scan the QR code."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The QR code of the device's ``otpauth://`` address, as an SVG data URI for an <img>:
    drawn on the server, as the Content-Security-Policy allows no inline script."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, dark="#0b0c0c")


# --- Checking a code ------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    device: object | None = None  # the device the code belonged to, None when refused
    wait_seconds: int = 0  # > 0: refused unread, as too many wrong codes came before
    recovery_codes_left: int | None = None  # after a recovery code was used


def normalised_code(code: str) -> str:
    """Codes as typed, less spaces and hyphens (recovery codes are lower case)."""
    return re.sub(r"[\s-]", "", code).lower()


def second_factor_verify(*, user, code: str) -> Verification:
    """Check ``code``: six digits against the user's authenticator apps, anything else
    against their recovery codes.

    A code works once: an authenticator's time step is recorded and only later ones pass, and
    a recovery code is deleted. The devices are locked for the check, so two requests with
    the same code cannot both pass. Each wrong code makes the next attempt wait (1, 2, 4, 8...
    seconds: django-otp's throttling), and an attempt made too soon is refused unread.
    """
    code = normalised_code(code)
    if _AUTHENTICATOR_CODE.fullmatch(code):
        devices = TOTPDevice.objects.devices_for_user(user, confirmed=True)
    else:
        devices = StaticDevice.objects.devices_for_user(user, confirmed=True)
    locked_until = []
    with transaction.atomic():
        for device in devices.select_for_update().order_by("pk"):
            allowed, details = device.verify_is_allowed()
            if not allowed:
                locked_until.append(details["locked_until"])
            elif device.verify_token(code):
                left = device.token_set.count() if isinstance(device, StaticDevice) else None
                return Verification(device=device, recovery_codes_left=left)
    if locked_until:
        wait = (min(locked_until) - timezone.now()).total_seconds()
        return Verification(wait_seconds=max(1, math.ceil(wait)))
    return Verification()


# --- Recovery codes -------------------------------------------------------------------------


def recovery_codes_make(*, user, count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """A new set of one-time recovery codes for ``user``: the old set stops working."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_CODES_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(count)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- A user's own devices, and the reset by an administrator --------------------------------


def devices_of(user) -> dict:
    """The user's second factors for the account security page."""
    return {
        "authenticators": list(
            TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("created_at")
        ),
        "security_keys": list(
            WebAuthnCredential.objects.devices_for_user(user, confirmed=True).order_by("created_at")
        ),
        "recovery_codes_left": recovery_codes_left(user),
    }


# Devices a user removes themselves: recovery codes are replaced (recovery_codes_make).
REMOVABLE = (TOTPDevice, WebAuthnCredential)


def own_removable_device(user, persistent_id: str):
    """The user's authenticator app or security key named by its django-otp persistent id
    (``otp_totp.totpdevice/12``), or None: another user's, or not a device at all."""
    label, _, pk = persistent_id.rpartition("/")
    if not re.fullmatch(r"[0-9]{1,18}", pk):
        return None
    for model in REMOVABLE:
        if model.model_label() == label:
            return model.objects.devices_for_user(user, confirmed=True).filter(pk=pk).first()
    return None


def device_remove(*, user, device) -> None:
    """Remove one of the user's own authenticator apps or security keys. If it verified this
    session, the session must pass a second factor again."""
    if not isinstance(device, REMOVABLE) or device.user_id != user.pk:
        raise PermissionDenied
    device.delete()


def may_reset_second_factor(by, user) -> bool:
    """Someone who may change users, whose access covers the user's organisation, and who
    could open the user in the administration site (a superuser only by a superuser)."""
    if not by.has_perm("accounts.change_user"):
        return False
    if by.is_superuser:
        return True
    if user.is_superuser or (user.sees_all_organisations and not by.sees_all_organisations):
        return False
    return by.acts_for(user.organisation)


def second_factor_reset(*, user, by) -> int:
    """Remove every second factor of ``user`` (a lost phone or key), so that they set one up
    again at their next sign-in; their sessions verified with those devices must pass again.
    Writes the user's history. Returns how many devices were removed."""
    if not may_reset_second_factor(by, user):
        raise PermissionDenied
    removed = 0
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=None):
            device.delete()
            removed += 1
        save_with_history(user, by=by, reason=f"Second factor reset by {by}")
    return removed


def second_factors_described(user) -> list[str]:
    """What the user signs in with, for the administration site: "Authenticator app", ..."""
    devices = devices_of(user)
    described = [device.name for device in devices["authenticators"]]
    described += [device.name or "Security key" for device in devices["security_keys"]]
    if left := devices["recovery_codes_left"]:
        described.append(counted(left, "recovery code"))
    return described
