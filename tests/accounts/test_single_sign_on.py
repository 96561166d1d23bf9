"""Signing in with the council's identity provider, against a real OpenID provider the tests
run on loopback (tests/accounts/oidc_provider.py): the app's requests to it are real HTTP.

A browser's journey is the Django test client's requests to the app, and ``requests`` to the
provider's authorization endpoint in between, as the browser follows the redirects.
"""

from urllib.parse import urlsplit

import pytest
import requests
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertInHTML, assertNotInHTML

from accounts.models import User
from accounts.roles import Role
from accounts.single_sign_on import BACKEND
from accounts.two_factor import SECOND_FACTOR_SESSION_KEY
from tests.accounts.oidc_provider import OpenIDProvider, Person
from tests.factories import UserFactory, user_with_role

PROVIDER_NAME = "Croydon Entra ID"
FAILED = (
    "Signing in with Croydon Entra ID did not work. Try again, or ask your Ombudsman Tracker "
    "administrator for help."
)
PASSWORDS_OFF = (
    "Passwords are switched off for Ombudsman Tracker. Sign in with Croydon Entra ID instead."
)


@pytest.fixture(scope="module")
def loopback_provider():
    provider = OpenIDProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def provider(loopback_provider, settings, monkeypatch, db):
    """Single sign-on set up as settings.py sets it up from the environment."""
    for name in ("no_proxy", "NO_PROXY"):  # a proxy in the environment must not take loopback
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    loopback_provider.reset()
    for name, value in loopback_provider.settings().items():
        setattr(settings, name, value)
    settings.OIDC_PROVIDER_NAME = PROVIDER_NAME
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND]
    return loopback_provider


@pytest.fixture
def sign_ins():
    """Who ``user_logged_in`` said signed in."""
    seen = []

    def record(sender, request, user, **kwargs):
        seen.append(user.username)

    user_logged_in.connect(record, dispatch_uid="tests.single_sign_on")
    yield seen
    user_logged_in.disconnect(dispatch_uid="tests.single_sign_on")


def through_the_provider(client, provider, person, start="/oidc/authenticate/"):
    """The browser's journey: the app sends it to the provider, which signs ``person`` in and
    sends it back to the app's callback. Returns the callback's response."""
    provider.person = person
    to_provider = client.get(start)
    assert to_provider.status_code == 302
    assert to_provider.url.startswith(f"{provider.url}/authorize?")
    back = requests.get(to_provider.url, allow_redirects=False, timeout=5)
    assert back.status_code == 302
    callback = urlsplit(back.headers["Location"])
    assert (callback.scheme, callback.netloc, callback.path) == (
        "http",
        "testserver",
        "/oidc/callback/",
    )
    return client.get(f"{callback.path}?{callback.query}")


def page_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def refused_with(client, response) -> list[str]:
    """The sign-in page the refusal lands on, and its messages; nobody is signed in."""
    assert response.status_code == 302
    assert response.url == reverse("login")
    page = client.get(response.url)
    assert page.status_code == 200
    assert SESSION_KEY not in client.session
    return page_messages(page)


# --- Signing in -------------------------------------------------------------------------------


def test_a_member_of_staff_the_provider_vouches_for_is_signed_in_to_their_account(
    client, provider, sign_ins
):
    officer = user_with_role(Role.OFFICER, username="jo", email="Jo.Bloggs@Croydon.gov.uk")

    response = through_the_provider(client, provider, Person(email="jo.bloggs@croydon.gov.uk"))

    assert response.status_code == 302
    assert response.url == "/"
    assert client.session[SESSION_KEY] == str(officer.pk)
    assert client.session[BACKEND_SESSION_KEY] == BACKEND
    assert provider.requests == ["GET /authorize", "POST /token", "GET /jwks", "GET /userinfo"]
    assert sign_ins == ["jo"]
    assert AccessLog.objects.filter(username="jo").count() == 1
    officer.refresh_from_db()
    assert officer.last_login is not None
    assert list(officer.groups.values_list("name", flat=True)) == ["Officers"]


def test_the_sign_in_page_offers_the_provider_and_returns_to_the_page_asked_for(client, provider):
    user_with_role(Role.MANAGER, username="sam", email="sam@croydon.gov.uk")

    page = client.get("/accounts/login/?next=/dashboard/")
    response = through_the_provider(
        client,
        provider,
        Person(email="sam@croydon.gov.uk"),
        start="/oidc/authenticate/?next=/dashboard/",
    )

    assertInHTML(
        '<a href="/oidc/authenticate/?next=/dashboard/" role="button" draggable="false" '
        'class="govuk-button govuk-button--secondary" data-module="govuk-button">'
        "Sign in with Croydon Entra ID</a>",
        page.content.decode(),
    )
    assert response.url == "/dashboard/"


def test_without_a_provider_set_up_there_is_no_button_and_no_way_through(client, db):
    page = client.get("/accounts/login/")

    assert "/oidc/" not in page.content.decode()
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=abc&state=xyz").status_code == 404


# --- Refusals ---------------------------------------------------------------------------------


def test_an_email_address_with_no_account_is_refused_and_no_account_is_made(client, provider):
    user_with_role(Role.OFFICER, username="jo", email="jo.bloggs@croydon.gov.uk")
    accounts = User.objects.count()

    response = through_the_provider(client, provider, Person(email="stranger@croydon.gov.uk"))

    assert refused_with(client, response) == [
        "There is no active Ombudsman Tracker account for stranger@croydon.gov.uk. Ask your "
        "Ombudsman Tracker administrator to set one up, or to reactivate yours."
    ]
    assert User.objects.count() == accounts


def test_a_deactivated_account_is_refused(client, provider, sign_ins):
    user_with_role(Role.OFFICER, username="left", email="left@croydon.gov.uk", is_active=False)

    response = through_the_provider(client, provider, Person(email="left@croydon.gov.uk"))

    assert refused_with(client, response) == [
        "There is no active Ombudsman Tracker account for left@croydon.gov.uk. Ask your "
        "Ombudsman Tracker administrator to set one up, or to reactivate yours."
    ]
    assert sign_ins == []


def test_an_active_account_is_found_past_a_deactivated_one_with_the_same_email(client, provider):
    UserFactory(username="old-jo", email="jo@croydon.gov.uk", is_active=False)
    jo = UserFactory(username="jo", email="JO@croydon.gov.uk")

    through_the_provider(client, provider, Person(email="jo@croydon.gov.uk"))

    assert client.session[SESSION_KEY] == str(jo.pk)


def test_two_active_accounts_with_the_email_address_are_refused(client, provider):
    UserFactory(username="jo", email="jo@croydon.gov.uk")
    UserFactory(username="jo2", email="Jo@Croydon.gov.uk")

    response = through_the_provider(client, provider, Person(email="jo@croydon.gov.uk"))

    assert refused_with(client, response) == [
        "More than one Ombudsman Tracker account has the email address jo@croydon.gov.uk, so "
        "you cannot sign in with it. Ask your Ombudsman Tracker administrator to correct the "
        "accounts."
    ]


def test_an_email_address_the_provider_has_not_verified_is_refused(client, provider):
    UserFactory(username="jo", email="jo@croydon.gov.uk")

    response = through_the_provider(
        client, provider, Person(email="jo@croydon.gov.uk", email_verified=False)
    )

    assert refused_with(client, response) == [
        "Croydon Entra ID did not confirm your email address, so Ombudsman Tracker cannot tell "
        "which account is yours. Ask your Ombudsman Tracker administrator for help."
    ]


@pytest.mark.parametrize(
    ("tamper", "logged"),
    [
        (
            "signature",
            "Single sign-on refused: SuspiciousOperation: JWS token verification failed.",
        ),
        ("nonce", "Single sign-on refused: SuspiciousOperation: JWT Nonce verification failed."),
        ("audience", "Single sign-on refused: the ID token is for ['another-app']"),
        (
            "issuer",
            "Single sign-on refused: the ID token's issuer 'https://impostor.example' is not "
            "OIDC_OP_ISSUER '{provider.url}'",
        ),
    ],
)
def test_an_id_token_that_fails_a_check_is_refused(
    client, provider, sign_ins, caplog, tamper, logged
):
    UserFactory(username="jo", email="jo@croydon.gov.uk")
    provider.tamper = tamper

    response = through_the_provider(client, provider, Person(email="jo@croydon.gov.uk"))

    assert refused_with(client, response) == [FAILED]
    assert sign_ins == []
    assert logged.format(provider=provider) in caplog.messages


def test_a_callback_address_replayed_in_another_browser_signs_nobody_in(client, provider, sign_ins):
    UserFactory(username="jo", email="jo@croydon.gov.uk")
    provider.person = Person(email="jo@croydon.gov.uk")
    to_provider = client.get("/oidc/authenticate/")
    callback = requests.get(to_provider.url, allow_redirects=False, timeout=5).headers["Location"]
    client.get(callback)
    another_browser = Client()

    replayed = another_browser.get(callback)

    assert refused_with(another_browser, replayed) == [FAILED]
    assert sign_ins == ["jo"]


def test_a_state_this_browser_never_sent_is_refused_not_a_server_error(client, provider):
    UserFactory(username="jo", email="jo@croydon.gov.uk")
    provider.person = Person(email="jo@croydon.gov.uk")
    client.get("/oidc/authenticate/")

    response = client.get("/oidc/callback/?code=made-up&state=made-up")

    assert refused_with(client, response) == [FAILED]
    assert provider.requests == []


def test_a_provider_answering_with_an_error_is_a_refusal_not_a_server_error(
    client, provider, settings
):
    UserFactory(username="jo", email="jo@croydon.gov.uk")
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{provider.url}/no-such-endpoint"

    response = through_the_provider(client, provider, Person(email="jo@croydon.gov.uk"))

    assert refused_with(client, response) == [FAILED]


def test_failed_sign_ins_through_the_provider_are_throttled_like_passwords(
    client, provider, settings
):
    settings.AXES_FAILURE_LIMIT = 2
    UserFactory(username="jo", email="jo@croydon.gov.uk")
    for _ in range(2):
        through_the_provider(client, provider, Person(email="stranger@croydon.gov.uk"))

    locked = through_the_provider(client, provider, Person(email="jo@croydon.gov.uk"))

    assert locked.status_code == settings.AXES_HTTP_RESPONSE_CODE
    assert SESSION_KEY not in client.session
    assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == [
        (None, 2)
    ]


# --- The provider's second factor -------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "accepted", "amr", "second_factor_by"),
    [
        (True, ["mfa"], ["pwd", "mfa"], "identity_provider"),
        (False, ["mfa"], ["pwd", "mfa"], None),
        (True, ["mfa"], ["pwd"], None),
        (True, ["hwk", "fido"], ["pwd", "hwk"], "identity_provider"),
        (True, ["hwk", "fido"], ["pwd", "mfa"], None),
    ],
)
def test_the_providers_mfa_stands_for_the_second_factor_only_where_an_administrator_says(
    client, provider, settings, counts, accepted, amr, second_factor_by
):
    settings.OIDC_AMR_COUNTS_AS_SECOND_FACTOR = counts
    settings.OIDC_ACCEPTED_AMR = accepted
    UserFactory(username="jo", email="jo@croydon.gov.uk")

    through_the_provider(client, provider, Person(email="jo@croydon.gov.uk", amr=amr))

    assert SESSION_KEY in client.session
    assert client.session.get(SECOND_FACTOR_SESSION_KEY) == second_factor_by


def test_without_the_providers_mfa_the_apps_own_second_factor_follows(client, provider):
    user_with_role(Role.OFFICER, username="jo", email="jo@croydon.gov.uk")

    through_the_provider(client, provider, Person(email="jo@croydon.gov.uk", amr=["pwd"]))
    home = client.get("/")

    assert home.status_code == 302
    assert home.url == f"{reverse('accounts:two_factor_enrol')}?next=%2F"


def test_with_the_providers_mfa_counting_the_app_opens_at_once(client, provider, settings):
    settings.OIDC_AMR_COUNTS_AS_SECOND_FACTOR = True
    user_with_role(Role.OFFICER, username="jo", email="jo@croydon.gov.uk")

    through_the_provider(client, provider, Person(email="jo@croydon.gov.uk", amr=["mfa"]))

    assert client.get("/").status_code == 200


# --- Local passwords switched off -------------------------------------------------------------


@pytest.fixture
def passwords_off(provider, settings):
    settings.LOCAL_PASSWORDS = False
    return settings


def test_with_passwords_off_the_sign_in_page_offers_only_the_provider(client, passwords_off):
    html = client.get("/accounts/login/").content.decode()

    assertInHTML(
        '<a href="/oidc/authenticate/" role="button" draggable="false" class="govuk-button" '
        'data-module="govuk-button">Sign in with Croydon Entra ID</a>',
        html,
    )
    assert 'name="password"' not in html
    assertNotInHTML(
        '<a class="govuk-link" href="/accounts/password_reset/">Forgotten your password?</a>', html
    )


def test_with_passwords_off_a_correct_password_is_refused(client, passwords_off, sign_ins):
    UserFactory(username="jo", email="jo@croydon.gov.uk")

    response = client.post(
        "/accounts/login/", {"username": "jo", "password": "correct-horse-battery"}
    )

    assert refused_with(client, response) == [PASSWORDS_OFF]
    assert sign_ins == []


def test_with_passwords_off_no_reset_link_is_sent(client, passwords_off):
    UserFactory(username="jo", email="jo@croydon.gov.uk")

    response = client.post("/accounts/password_reset/", {"email": "jo@croydon.gov.uk"})

    assert refused_with(client, response) == [PASSWORDS_OFF]
    assert mail.outbox == []


def test_with_passwords_off_the_provider_still_signs_people_in(client, provider, passwords_off):
    jo = UserFactory(username="jo", email="jo@croydon.gov.uk")

    through_the_provider(client, provider, Person(email="jo@croydon.gov.uk"))

    assert client.session[SESSION_KEY] == str(jo.pk)


def _admin_sign_in(client, username):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": "correct-horse-battery", "next": "/admin/"},
    )


def test_with_passwords_off_even_a_superuser_is_refused_at_the_admin_by_default(
    client, passwords_off
):
    UserFactory(username="root", is_staff=True, is_superuser=True)

    response = _admin_sign_in(client, "root")

    assert refused_with(client, response) == [PASSWORDS_OFF]


def test_a_superuser_may_break_glass_at_the_admin_where_the_setting_allows(client, passwords_off):
    passwords_off.LOCAL_PASSWORDS_SUPERUSERS_IN_ADMIN = True
    root = UserFactory(username="root", is_staff=True, is_superuser=True)

    response = _admin_sign_in(client, "root")

    assert response.status_code == 302
    assert response.url == "/admin/"
    assert client.session[SESSION_KEY] == str(root.pk)


def test_break_glass_is_for_superusers_only_and_only_at_the_admin(client, passwords_off):
    passwords_off.LOCAL_PASSWORDS_SUPERUSERS_IN_ADMIN = True
    user_with_role(Role.ADMINISTRATOR, username="council-admin", is_staff=True)
    UserFactory(username="root", is_staff=True, is_superuser=True)

    at_admin = _admin_sign_in(client, "council-admin")
    at_app = client.post(
        "/accounts/login/", {"username": "root", "password": "correct-horse-battery"}
    )

    assert at_admin.status_code == 200
    assert SESSION_KEY not in client.session
    assert refused_with(client, at_app) == [PASSWORDS_OFF]
