"""A new manager signs in for the first time, sets up an authenticator app (typing the key
shown for manual entry, as someone whose app cannot scan does), keeps the recovery codes,
signs out, and signs in again with a new code. By keyboard, every page axe- and CSP-clean."""

import re
from base64 import b32decode
from urllib.parse import urlparse

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from tests.browser.conftest import (
    follow_link,
    press_and_wait,
    press_button,
    sign_in,
    type_into,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _path(page) -> str:
    return urlparse(page.url).path


def test_a_new_manager_sets_up_an_authenticator_and_signs_in_with_it(page, check_page, manager):
    page.goto("/")
    sign_in(page, manager, second_step=False)

    # The first sign-in leads to setting up the app, and nowhere else.
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    assert _path(page) == "/accounts/two-factor/set-up/"
    check_page("set-up")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    secret = page.locator("#authenticator-secret").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", secret)
    page.goto("/recommendations/")  # and is taken there once set up
    assert _path(page) == "/accounts/two-factor/set-up/"

    key = b32decode(secret.replace(" ", ""))
    type_into(page, page.get_by_label("Code from the app", exact=True), f"{totp(key):06d}")
    press_and_wait(page, "Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    check_page("recovery-codes")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert sorted(codes) == sorted(StaticToken.objects.values_list("token", flat=True))
    assert len(codes) == 10
    follow_link(page, page.get_by_role("link", name="I have kept my recovery codes"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Recommendations")

    follow_link(page, page.get_by_role("link", name="Account security"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Account security")
    check_page("account-security")
    expect(page.get_by_text("You have 10 unused recovery codes")).to_be_visible()

    press_button(page, page.get_by_role("button", name="Sign out"))
    assert _path(page) == "/accounts/login/"

    # Signing in again asks for a code after the password: the app's next one.
    device = TOTPDevice.objects.get(user=manager)
    sign_in(page, manager, second_step=False)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter a code to sign in")
    check_page("code")
    code = totp(key, drift=device.drift + 1)
    type_into(page, page.get_by_label("Code", exact=True), f"{code:06d}")
    press_and_wait(page, "Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("What needs your attention")
    check_page("home")


def test_a_wrong_code_is_refused_with_a_message_that_says_what_to_do(page, check_page, manager):
    TOTPDevice.objects.create(user=manager, name="Authenticator app")
    page.goto("/")
    sign_in(page, manager, second_step=False)

    type_into(page, page.get_by_label("Code", exact=True), "12345678")
    press_and_wait(page, "Enter")

    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The code is not right, or it has been used already"
    )
    check_page("wrong-code")


def test_a_manager_adds_a_security_key_and_signs_in_with_it(
    page, check_page, manager, live_server, settings
):
    """Chromium's virtual authenticator stands in for the key (DevTools' WebAuthn domain):
    django-otp-webauthn's own script registers it and signs in with it."""
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    settings.OTP_WEBAUTHN_RP_ID = urlparse(live_server.url).hostname
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    page.goto("/")
    sign_in(page, manager)
    follow_link(page, page.get_by_role("link", name="Account security"))
    check_page("account-security")

    # The page reloads once the key is registered, and lists it.
    press_button(page, page.get_by_role("button", name="Add a security key or passkey"))
    expect(page.get_by_text("You have no security key or passkey.")).to_have_count(0)
    check_page("key-added")
    key = WebAuthnCredential.objects.get(user=manager)
    expect(page.get_by_role("button", name=re.compile(r"^Remove .*added on"))).to_have_count(1)

    press_button(page, page.get_by_role("button", name="Sign out"))
    sign_in(page, manager, second_step=False)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter a code to sign in")
    check_page("code-or-key")
    press_button(page, page.get_by_role("button", name="Use your security key"))

    expect(page.get_by_role("heading", level=1)).to_have_text("What needs your attention")
    check_page("home")
    key.refresh_from_db()
    assert key.last_used_at is not None
