"""Two factors at sign-in: staff who can read case data sign in with their password and a code
from an authenticator app (or a one-time recovery code, or a security key), set one up at
their first sign-in, and get their council's administrator to reset it when they lose it.

These tests sign in through the sign-in form, or with ``force_login`` and no second factor
(``force_login_without_second_factor``), so they see the steps the other tests skip.
"""

import re
from base64 import b32decode
from datetime import timedelta

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts import two_factor
from accounts.roles import Role
from organisations.models import Organisation
from reminders import services as reminder_services
from tests.conftest import pass_second_factor
from tests.factories import UserFactory, user_with_role

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("force_login_without_second_factor"),
]

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
ENROL = reverse("accounts:two_factor_enrol")
VERIFY = reverse("accounts:two_factor_verify")
HOME = reverse("home")
NOT_RIGHT = (
    "The code is not right, or it has been used already: enter the newest code from your "
    "authenticator app, or an unused recovery code"
)


def sign_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "the password was refused"
    return response


def page_text(response) -> str:
    return " ".join(re.sub(r"<[^>]*>", " ", response.content.decode()).split())


def code_errors(response) -> list[str]:
    return response.context["form"].errors.get("code", [])


def authenticator(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name=two_factor.AUTHENTICATOR_NAME)


def code_of(device, *, ahead=0) -> str:
    """The code the user's app shows; ``ahead=1``: the next one (accepted, as the app may run
    a step ahead of the server), which a test signing in twice within 30 seconds needs."""
    device.refresh_from_db()
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + ahead)
    return f"{code:06d}"


def with_next(url, next_url=HOME) -> str:
    return f"{url}?next={next_url.replace('/', '%2F')}"


# --- First sign-in: set up the authenticator app --------------------------------------------


def test_a_managers_first_sign_in_goes_to_set_up_and_nothing_else_is_reachable(client, manager):
    token = reminder_services.calendar_token_reset(user=manager)
    sign_in(client, manager)

    pages = [
        HOME,
        reverse("recommendations:complaint_list"),
        reverse("reminders:settings"),
        reverse("accounts:security"),
        reverse("accounts:recovery_codes"),
        reverse("password_change"),
        reverse("admin:index"),
    ]
    responses = {url: client.get(url) for url in pages}

    assert {url: (r.status_code, r.url) for url, r in responses.items()} == {
        url: (302, with_next(ENROL, url)) for url in pages
    }
    assert client.post(reverse("recommendations:complaint_create")).url == ENROL
    assert client.get(VERIFY).url == with_next(ENROL)
    assert client.get(ENROL).status_code == 200
    feed = reverse("reminders:calendar_mine", args=[token])
    assert client.get(feed).status_code == 200
    assert client.post(reverse("logout")).url == reverse("login")
    assert client.get(HOME).url == f"{reverse('login')}?next=/"


def test_a_manager_sets_up_an_authenticator_with_its_code_and_reaches_the_home_page(
    client, manager
):
    sign_in(client, manager)
    page = client.get(with_next(ENROL))
    secret = page.context["secret"]
    key = b32decode(secret.replace(" ", ""))

    done = client.post(ENROL, {"code": f"{totp(key):06d}", "next": HOME})

    assert 'src="data:image/svg+xml' in page.content.decode()
    assert f'id="authenticator-secret">{secret}</p>' in page.content.decode()
    assert done.status_code == 302
    assert done.url == with_next(reverse("accounts:recovery_codes"))
    device = TOTPDevice.objects.get(user=manager)
    assert (device.confirmed, device.bin_key, device.name) == (True, key, "Authenticator app")
    assert client.get(HOME).status_code == 200


def test_the_recovery_codes_are_shown_once_after_setting_up(client, manager):
    sign_in(client, manager)
    key = b32decode(client.get(ENROL).context["secret"].replace(" ", ""))
    client.post(ENROL, {"code": f"{totp(key):06d}", "next": HOME})

    shown = client.get(with_next(reverse("accounts:recovery_codes")))
    again = client.get(reverse("accounts:recovery_codes"))

    codes = shown.context["codes"]
    assert len(codes) == 10
    assert sorted(codes) == sorted(
        StaticToken.objects.filter(device__user=manager).values_list("token", flat=True)
    )
    assert all(f"<li>{code}</li>" in shown.content.decode() for code in codes)
    assert 'href="/" class="govuk-button"' in shown.content.decode()
    assert again.context["codes"] is None
    assert "You have 10 unused recovery codes." in page_text(again)
    assert not any(code in again.content.decode() for code in codes)


def test_a_wrong_first_code_sets_nothing_up(client, manager):
    sign_in(client, manager)
    client.get(ENROL)

    response = client.post(ENROL, {"code": "000000"})
    typo = client.post(ENROL, {"code": "12345"})

    assert code_errors(response) == [
        "The code is not right: check the app shows Ombudsman Tracker and enter the code it "
        "shows now"
    ]
    assert code_errors(typo) == ["Enter the 6-digit code the app shows"]
    assert not TOTPDevice.objects.filter(user=manager).exists()
    assert client.get(HOME).url == with_next(ENROL)


# --- Signing in again -----------------------------------------------------------------------


def test_signing_in_again_asks_for_the_code_after_the_password(client, manager):
    device = authenticator(manager)
    sign_in(client, manager)

    asked = client.get(HOME)
    page = client.get(asked.url)
    passed = client.post(VERIFY, {"code": code_of(device), "next": HOME})

    assert asked.url == with_next(VERIFY)
    assert page.status_code == 200
    assert passed.status_code == 302
    assert passed.url == HOME
    assert client.get(HOME).status_code == 200
    assert client.get(VERIFY).url == HOME  # nothing more to do


def test_the_same_authenticator_code_cannot_be_used_twice(client, manager):
    sign_in(client, manager)
    key = b32decode(client.get(ENROL).context["secret"].replace(" ", ""))
    code = f"{totp(key):06d}"
    client.post(ENROL, {"code": code})
    client.post(reverse("logout"))
    sign_in(client, manager)

    again = client.post(VERIFY, {"code": code})

    assert again.status_code == 200
    assert code_errors(again) == [NOT_RIGHT]
    assert client.get(HOME).url == with_next(VERIFY)


def test_a_recovery_code_works_once_and_never_again(client, manager):
    first, second = two_factor.recovery_codes_make(user=manager, count=2)
    sign_in(client, manager)

    used = client.post(VERIFY, {"code": first.upper()[:4] + "-" + first[4:]})
    client.post(reverse("logout"))
    sign_in(client, manager)
    reused = client.post(VERIFY, {"code": first})

    assert used.url == HOME
    assert code_errors(reused) == [NOT_RIGHT]
    assert list(StaticToken.objects.values_list("token", flat=True)) == [second]


def test_using_a_recovery_code_says_how_many_are_left(client, manager):
    first, *_ = two_factor.recovery_codes_make(user=manager)
    sign_in(client, manager)

    response = client.post(VERIFY, {"code": first}, follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "You used a recovery code: 9 left. Make new ones, or set up your authenticator app "
        "again, in Account security"
    ]


def test_a_wrong_code_makes_the_next_try_wait_and_says_so(client, manager):
    device = authenticator(manager)
    sign_in(client, manager)

    wrong = client.post(VERIFY, {"code": "000000" if code_of(device) != "000000" else "111111"})
    too_soon = client.post(VERIFY, {"code": code_of(device)})
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=3, throttling_failure_timestamp=timezone.now()
    )
    after_three = client.post(VERIFY, {"code": code_of(device)})
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=5)
    )
    waited = client.post(VERIFY, {"code": code_of(device)})

    assert code_errors(wrong) == [NOT_RIGHT]
    assert code_errors(too_soon) == [
        "Too many wrong codes: wait 1 second, then enter the code again"
    ]
    assert code_errors(after_three) == [
        "Too many wrong codes: wait 4 seconds, then enter the code again"
    ]
    assert waited.url == HOME


def test_an_empty_code_is_asked_for(client, manager):
    authenticator(manager)
    sign_in(client, manager)

    response = client.post(VERIFY, {"code": " "})

    assert code_errors(response) == ["Enter the code from your authenticator app"]


def test_the_code_step_goes_only_to_a_page_of_this_site(client, manager):
    device = authenticator(manager)
    sign_in(client, manager)

    response = client.post(VERIFY, {"code": code_of(device), "next": "https://evil.example/"})

    assert response.url == HOME


# --- Who is asked ---------------------------------------------------------------------------


def test_a_viewer_is_not_asked_for_a_second_factor(client, viewer):
    sign_in(client, viewer)

    assert client.get(HOME).status_code == 200
    assert client.get(VERIFY).url == HOME


@pytest.mark.parametrize("role", [r for r in Role if r != Role.VIEWER])
def test_every_role_that_can_read_case_data_must_set_one_up(client, role):
    user = user_with_role(role)
    sign_in(client, user)

    assert client.get(HOME).url == with_next(ENROL)


def test_staff_and_superusers_must_whatever_their_groups(db):
    assert two_factor.second_factor_required(UserFactory(username="staff", is_staff=True))
    assert two_factor.second_factor_required(UserFactory(username="root", is_superuser=True))
    assert not two_factor.second_factor_required(UserFactory(username="nobody"))


def test_the_roles_that_must_come_from_the_setting(client, viewer, settings):
    settings.TWO_FACTOR_REQUIRED_GROUPS = ["Viewers"]
    sign_in(client, viewer)

    assert client.get(HOME).url == with_next(ENROL)


def test_a_viewer_who_set_up_an_app_of_their_own_accord_is_asked_for_its_code(client, viewer):
    authenticator(viewer)
    sign_in(client, viewer)

    assert client.get(HOME).url == with_next(VERIFY)


def test_any_kind_of_device_once_confirmed_counts_as_a_second_factor(manager, viewer, officer):
    TOTPDevice.objects.create(user=manager, name="Not finished", confirmed=False)
    unconfirmed = two_factor.has_second_factor(manager)
    two_factor.recovery_codes_make(user=viewer)
    WebAuthnCredential.objects.create(
        user=officer, credential_id=b"k", credential_id_sha256="0" * 64, public_key=b"p"
    )

    assert (unconfirmed, two_factor.has_second_factor(viewer)) == (False, True)
    assert two_factor.has_second_factor(officer) is True


def test_the_admin_refuses_a_staff_user_who_has_not_passed_the_second_factor(client):
    staff = user_with_role(Role.ADMINISTRATOR, username="council-admin", is_staff=True)
    authenticator(staff)
    client.force_login(staff)

    refused = client.get(reverse("admin:accounts_user_changelist"))
    pass_second_factor(client, staff)
    allowed = client.get(reverse("admin:accounts_user_changelist"))

    assert refused.status_code == 302
    assert refused.url == with_next(VERIFY, reverse("admin:accounts_user_changelist"))
    assert allowed.status_code == 200


def test_a_session_the_identity_provider_vouches_for_has_passed(client, manager):
    client.force_login(manager)
    session = client.session
    session[two_factor.SECOND_FACTOR_SESSION_KEY] = "identity_provider"
    session.save()

    assert two_factor.SECOND_FACTOR_SESSION_KEY == "second_factor_by"
    assert client.get(HOME).status_code == 200


def test_only_the_identity_providers_mark_passes(client, manager):
    client.force_login(manager)
    session = client.session
    session[two_factor.SECOND_FACTOR_SESSION_KEY] = "password"
    session.save()

    assert client.get(HOME).url == with_next(ENROL)


def test_second_factor_passed_is_a_verified_device_or_the_identity_provider(manager):
    request = RequestFactory().get("/")
    request.session = {}
    request.user = manager
    manager.is_verified = lambda: False
    without = two_factor.second_factor_passed(request)
    request.session[two_factor.SECOND_FACTOR_SESSION_KEY] = two_factor.IDENTITY_PROVIDER
    vouched = two_factor.second_factor_passed(request)
    request.session = {}
    manager.is_verified = lambda: True
    verified = two_factor.second_factor_passed(request)

    assert (without, vouched, verified) == (False, True, True)


def test_switched_off_nobody_is_asked_and_every_page_says_so(client, manager, settings):
    settings.TWO_FACTOR_REQUIRED = False
    sign_in(client, manager)

    response = client.get(HOME)

    assert response.status_code == 200
    assert (
        "Warning Two-factor sign-in is switched off (TWO_FACTOR_REQUIRED is false): a password "
        "alone opens every account. Do not use this copy for real case data."
    ) in page_text(response)
    assert "Two-factor sign-in is switched off" in page_text(client.get(reverse("login")))


def test_switched_on_there_is_no_such_warning(client, viewer):
    sign_in(client, viewer)

    assert "switched off" not in page_text(client.get(HOME))


# --- Account security: the user's own devices -----------------------------------------------


@pytest.fixture
def verified(client, manager):
    """The manager, signed in with an authenticator app and recovery codes."""
    device = authenticator(manager)
    two_factor.recovery_codes_make(user=manager)
    sign_in(client, manager)
    client.post(VERIFY, {"code": code_of(device)})
    return device


def test_the_header_links_to_account_security(client, verified):
    assertion = (
        '<a class="govuk-link govuk-link--no-visited-state" href="/accounts/security/">'
        "Account security</a>"
    )

    assert assertion in client.get(HOME).content.decode()


def test_a_user_sees_their_own_devices(client, verified, manager):
    response = client.get(reverse("accounts:security"))

    assert response.context["devices"] == {
        "authenticators": [verified],
        "security_keys": [],
        "recovery_codes_left": 10,
    }
    assert "You have 10 unused recovery codes, to sign in without your phone." in page_text(
        response
    )


def test_a_user_adds_a_second_authenticator_and_keeps_their_recovery_codes(client, verified):
    key = b32decode(client.get(ENROL).context["secret"].replace(" ", ""))

    response = client.post(ENROL, {"code": f"{totp(key):06d}", "next": "/accounts/security/"})

    assert response.url == "/accounts/security/"
    assert TOTPDevice.objects.filter(user=verified.user).count() == 2
    assert two_factor.recovery_codes_left(verified.user) == 10


def test_a_user_removes_their_authenticator_and_must_set_one_up_again(client, verified, manager):
    StaticDevice.objects.filter(user=manager).delete()

    response = client.post(
        reverse("accounts:device_remove"), {"device": verified.persistent_id}, follow=True
    )

    assert not TOTPDevice.objects.filter(user=manager).exists()
    assert response.redirect_chain[0] == (reverse("accounts:security"), 302)
    assert response.redirect_chain[-1] == (with_next(ENROL, reverse("accounts:security")), 302)


def test_a_user_cannot_remove_another_users_device(client, verified):
    other = authenticator(user_with_role(Role.MANAGER, username="colleague"))

    responses = [
        client.post(reverse("accounts:device_remove"), {"device": device_id})
        for device_id in (
            other.persistent_id,
            "otp_static.staticdevice/1",
            "otp_totp.totpdevice/99999999999999999999999",
            "nonsense",
            "",
        )
    ]

    assert [r.status_code for r in responses] == [404] * 5
    assert TOTPDevice.objects.filter(pk=other.pk).exists()


def test_new_recovery_codes_void_the_old(client, verified, manager):
    old = set(StaticToken.objects.values_list("token", flat=True))

    made = client.post(reverse("accounts:recovery_codes"))
    shown = client.get(made.url)

    new = set(shown.context["codes"])
    assert made.url == with_next(reverse("accounts:recovery_codes"), "/accounts/security/")
    assert len(new) == 10
    assert set(StaticToken.objects.values_list("token", flat=True)) == new
    assert not old & new


# --- An administrator resets a lost device --------------------------------------------------


@pytest.fixture
def councils(db):
    croydon = Organisation.objects.get_or_create(name="Croydon Council")[0]
    kent = Organisation.objects.create(name="Kent County Council")

    def admin_of(council, username):
        admin = user_with_role(
            Role.ADMINISTRATOR, username=username, organisation=council, is_staff=True
        )
        admin.first_name, admin.last_name = "Alex", username.title()
        admin.save()
        return admin

    return {"croydon": admin_of(croydon, "croydon-admin"), "kent": admin_of(kent, "kent-admin")}


def _admin_client(admin) -> Client:
    client = Client()
    client.force_login(admin)
    pass_second_factor(client, admin)
    return client


def test_an_administrator_of_the_same_council_resets_a_users_second_factor(
    councils, manager, client
):
    authenticator(manager)
    two_factor.recovery_codes_make(user=manager)
    admin = _admin_client(councils["croydon"])
    url = reverse("admin:accounts_user_second_factor_reset", args=[manager.pk])
    change_page = admin.get(reverse("admin:accounts_user_change", args=[manager.pk]))

    confirm = admin.get(url)
    done = admin.post(url)

    assert "Authenticator app, 10 recovery codes (" in change_page.content.decode()
    assert f'<a href="{url}">reset the second factor</a>' in change_page.content.decode()
    assert confirm.status_code == 200
    assert confirm.context["devices"] == ["Authenticator app", "10 recovery codes"]
    assert done.status_code == 302
    assert done.url == reverse("admin:accounts_user_change", args=[manager.pk])
    assert not TOTPDevice.objects.filter(user=manager).exists()
    assert not StaticDevice.objects.filter(user=manager).exists()
    entry = manager.history.latest()
    assert (entry.history_change_reason, entry.history_user) == (
        "Second factor reset by Alex Croydon-Admin",
        councils["croydon"],
    )
    sign_in(client, manager)
    assert client.get(HOME).url == with_next(ENROL)


def test_another_councils_administrator_cannot_reset_it(councils, manager):
    device = authenticator(manager)
    admin = _admin_client(councils["kent"])
    url = reverse("admin:accounts_user_second_factor_reset", args=[manager.pk])

    responses = [admin.get(url), admin.post(url)]

    assert [r.status_code for r in responses] == [404, 404]
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert manager.history.count() == 1


def test_the_reset_rule_refuses_what_the_admin_would(councils, manager):
    from django.core.exceptions import PermissionDenied

    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    authenticator(root)

    with pytest.raises(PermissionDenied):
        two_factor.second_factor_reset(user=manager, by=councils["kent"])
    with pytest.raises(PermissionDenied):
        two_factor.second_factor_reset(user=root, by=councils["croydon"])
    with pytest.raises(PermissionDenied):
        two_factor.second_factor_reset(user=manager, by=user_with_role(Role.MANAGER))
    assert two_factor.second_factor_reset(user=root, by=root) == 1


def test_the_admin_no_longer_shows_authenticator_secrets_or_recovery_codes():
    from django.contrib import admin

    assert not admin.site.is_registered(TOTPDevice)
    assert not admin.site.is_registered(StaticDevice)


# --- Security keys (django-otp-webauthn) ----------------------------------------------------


def test_nobody_signed_in_can_start_registering_or_using_a_key(client):
    register = client.post(reverse("otp_webauthn:credential-registration-begin"))
    use = client.post(reverse("otp_webauthn:credential-authentication-begin"))

    assert (register.status_code, use.status_code) == (403, 403)


def test_a_key_is_registered_only_after_the_second_factor(client, manager):
    device = authenticator(manager)
    sign_in(client, manager)
    url = reverse("otp_webauthn:credential-registration-begin")

    before = client.post(url)
    client.post(VERIFY, {"code": code_of(device)})
    after = client.post(url)

    assert before.status_code == 302
    assert before.url == VERIFY
    assert after.status_code == 200
    options = after.json()
    assert (options["rp"]["id"], options["user"]["name"]) == ("localhost", "manager")


def test_a_user_with_a_key_can_start_using_it_at_the_code_step(client, manager):
    authenticator(manager)
    sign_in(client, manager)

    response = client.post(reverse("otp_webauthn:credential-authentication-begin"))

    assert response.status_code == 200
    assert response.json()["rpId"] == "localhost"


def test_the_security_key_scripts_are_static_files_and_their_settings_data(client, verified):
    html = client.get(reverse("accounts:security")).content.decode()

    scripts = re.findall(r"<script\b[^>]*>", html)
    assert (
        scripts
        == [
            '<script id="otp_webauthn_config" type="application/json">',
            '<script async defer src="/webauthn/jsi18n/">',
            '<script type="module" src="/static/django_otp_webauthn/otp_webauthn_register.js">',
            '<script type="module" src="/static/js/main.mjs">',
            '<script type="module" src="/static/accounts/security_keys.mjs">',
        ]
        or scripts
    )
