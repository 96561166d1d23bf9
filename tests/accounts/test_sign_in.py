"""Signing in, being locked out, resetting a password, and how long a session lasts, as staff
and their administrators meet them.

Tests of the password step post to the sign-in form itself (as a Viewer, whom no second
factor holds up); the others sign in with ``force_login``.
"""

from datetime import UTC, datetime, timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from pytest_django.asserts import assertInHTML

from accounts.models import User
from accounts.roles import Role
from accounts.sessions import RENEWED_AT, SIGNED_IN_AT, user_sessions_end
from accounts.throttling import client_address, lock_ends, lockout_message, time_of_day
from tests.factories import OrganisationFactory, user_with_role

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
LOGIN, ADMIN_LOGIN = reverse("login"), reverse("admin:login")


@pytest.fixture(autouse=True)
def own_cache(settings, request):
    """A fresh in-memory cache for each test: the reset limits count in it, and the suite's
    Redis (REDIS_URL) is shared with other tests."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        }
    }


def _sign_in(client, username, password, *, url=LOGIN, address="192.0.2.10", **headers):
    return client.post(
        url, {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def _fail(client, username, *, times, url=LOGIN, address="192.0.2.10"):
    return [
        _sign_in(client, username, "not-the-password", url=url, address=address)
        for _ in range(times)
    ]


def _signed_in_as(client):
    return client.session.get(SESSION_KEY)


def _banner(text):
    return f'<p class="govuk-notification-banner__heading">{text}</p>'


def _lockout_text(username, attempt):
    return (
        f"Too many failed attempts to sign in as {username}: try again after "
        f"{time_of_day(attempt.attempt_time + timedelta(hours=1))}"
    )


# --- Ten failures lock a username from one address for an hour ----------------------------


def test_ten_wrong_passwords_lock_the_username_from_that_address_even_with_the_right_one(
    client, viewer
):
    nine = _fail(client, "viewer", times=9)
    tenth = _fail(client, "viewer", times=1)[0]
    right = _sign_in(client, "viewer", PASSWORD)

    assert [response.status_code for response in nine] == [200] * 9
    assert tenth.status_code == 429
    assert right.status_code == 429
    assert _signed_in_as(client) is None
    attempt = AccessAttempt.objects.get(username="viewer")
    assert attempt.failures_since_start == 10
    assertInHTML(f"<li>{_lockout_text('viewer', attempt)}</li>", right.content.decode())
    assert "<title>Error: Sign in" in right.content.decode()
    assert list(
        AccessFailureLog.objects.filter(username="viewer")
        .order_by("attempt_time", "pk")
        .values_list("locked_out", flat=True)
    ) == [False] * 9 + [True]


def test_another_user_signs_in_from_the_same_address_and_the_locked_one_from_another(
    client, viewer
):
    user_with_role(Role.VIEWER, username="colleague")
    _fail(client, "viewer", times=10)

    colleague = _sign_in(Client(), "colleague", PASSWORD)
    elsewhere = _sign_in(Client(), "viewer", PASSWORD, address="198.51.100.7")

    assert colleague.status_code == 302
    assert colleague.url == reverse("home")
    assert elsewhere.status_code == 302
    assert _sign_in(client, "viewer", PASSWORD).status_code == 429


def test_a_success_before_the_limit_starts_the_count_again(client, viewer):
    _fail(client, "viewer", times=9)
    _sign_in(client, "viewer", PASSWORD)
    client.logout()

    after = _fail(client, "viewer", times=9)

    assert [response.status_code for response in after] == [200] * 9
    assert AccessAttempt.objects.get(username="viewer").failures_since_start == 9


def test_after_an_hour_the_right_password_signs_in_again(client, viewer):
    _fail(client, "viewer", times=10)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(hours=1, seconds=1))

    response = _sign_in(client, "viewer", PASSWORD)

    assert response.status_code == 302
    assert _signed_in_as(client) == str(viewer.pk)
    assert not AccessAttempt.objects.exists()


def test_within_the_hour_the_lock_holds_and_trying_does_not_extend_it(client, viewer):
    _fail(client, "viewer", times=10)
    started = timezone.now() - timedelta(minutes=59)
    AccessAttempt.objects.update(attempt_time=started)

    response = _sign_in(client, "viewer", PASSWORD)

    assert response.status_code == 429
    attempt = AccessAttempt.objects.get(username="viewer")
    assert attempt.attempt_time == started
    assertInHTML(f"<li>{_lockout_text('viewer', attempt)}</li>", response.content.decode())


def test_the_limit_and_the_lockout_come_from_the_settings(client, viewer, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = 0.5  # hours

    responses = _fail(client, "viewer", times=3)

    assert [response.status_code for response in responses] == [200, 200, 429]
    attempt = AccessAttempt.objects.get(username="viewer")
    expected = time_of_day(attempt.attempt_time + timedelta(minutes=30))
    assert f"try again after {expected}" in responses[-1].content.decode()


def test_the_admin_sign_in_locks_the_same_pair(client, db):
    staff = user_with_role(Role.ADMINISTRATOR, username="council-admin", is_staff=True)
    _fail(client, "council-admin", url=ADMIN_LOGIN, times=9)
    tenth = _fail(client, "council-admin", url=ADMIN_LOGIN, times=1)[0]

    admin_right = _sign_in(client, "council-admin", PASSWORD, url=ADMIN_LOGIN)
    app_right = _sign_in(client, "council-admin", PASSWORD)

    assert tenth.status_code == admin_right.status_code == app_right.status_code == 429
    attempt = AccessAttempt.objects.get(username="council-admin")
    assertInHTML(
        f"<li>{_lockout_text('council-admin', attempt)}</li>", admin_right.content.decode()
    )
    assert _signed_in_as(client) is None
    staff.refresh_from_db()
    assert staff.last_login is None


def test_the_lockout_page_is_the_services_own(client, viewer):
    response = _fail(client, "viewer", times=10)[-1]

    html = response.content.decode()
    assert "registration/locked_out.html" in {template.name for template in response.templates}
    assert 'name="password"' not in html
    assertInHTML('<h1 class="govuk-heading-l">Sign in</h1>', html)
    assertInHTML('<h2 class="govuk-error-summary__title">There is a problem</h2>', html)


def test_a_lock_ends_when_the_failures_that_reached_the_limit_are_an_hour_old():
    at = datetime(2025, 6, 5, 13, 0, tzinfo=UTC)
    hour = timedelta(hours=1)
    # Newest first: one browser failed 4 times at 13:00, another 7 times at 12:50.
    attempts = [(at, 4), (at - timedelta(minutes=10), 7)]

    assert lock_ends(attempts, limit=10, cool_off=hour) == at - timedelta(minutes=10) + hour
    assert lock_ends(attempts, limit=4, cool_off=hour) == at + hour
    assert lock_ends(attempts, limit=12, cool_off=hour) is None


def test_a_single_sign_on_names_no_username_so_the_page_names_the_network():
    at = datetime(2025, 6, 5, 14, 45, tzinfo=UTC)

    assert lockout_message(username=None, ends_at=at) == (
        "Too many failed attempts to sign in from this network: try again after 3:45pm on "
        "5 June 2025"
    )
    assert lockout_message(username="viewer", ends_at=None) == (
        "Too many failed attempts to sign in as viewer: try again later"
    )


def test_times_are_written_as_govuk_does_in_local_time():
    assert time_of_day(datetime(2025, 6, 5, 14, 45, tzinfo=UTC)) == "3:45pm on 5 June 2025"
    assert time_of_day(datetime(2025, 1, 5, 9, 5, tzinfo=UTC)) == "9:05am on 5 January 2025"
    assert time_of_day(datetime(2025, 1, 5, 12, 0, tzinfo=UTC)) == "12:00pm on 5 January 2025"


# --- The client's address behind a reverse proxy ------------------------------------------


def _request(**meta):
    return RequestFactory().post(LOGIN, **meta)


def test_the_address_is_the_connections_unless_a_proxy_is_trusted(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_address(_request(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")) == (
        "10.0.0.5"
    )


def test_behind_one_trusted_proxy_the_address_is_the_one_it_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    # The client sent "1.2.3.4" itself; the proxy appended the address it saw.
    forged = _request(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    no_header = _request(REMOTE_ADDR="10.0.0.5")
    nonsense = _request(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="not-an-address")

    assert client_address(forged) == "203.0.113.9"
    assert client_address(no_header) == "10.0.0.5"
    assert client_address(nonsense) == "10.0.0.5"


def test_behind_a_trusted_proxy_a_forged_header_does_not_escape_the_lock(client, viewer, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for forged in range(10):
        _sign_in(
            client,
            "viewer",
            "not-the-password",
            address="10.0.0.5",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{forged}, 203.0.113.9",
        )

    again = _sign_in(
        client, "viewer", PASSWORD, address="10.0.0.5", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.9"
    )
    colleague = _sign_in(
        Client(), "viewer", PASSWORD, address="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7"
    )

    assert again.status_code == 429
    assert colleague.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}


# --- Administrators see and lift their own council's lockouts -----------------------------


@pytest.fixture
def councils(db):
    croydon = OrganisationFactory(name="Croydon Council")
    kent = OrganisationFactory(name="Kent County Council")
    return {
        "admin": user_with_role(
            Role.ADMINISTRATOR, username="croydon-admin", organisation=croydon, is_staff=True
        ),
        "croydon": user_with_role(Role.OFFICER, username="croydon-officer", organisation=croydon),
        "kent": user_with_role(Role.OFFICER, username="kent-officer", organisation=kent),
    }


def _admin_url(name, *args):
    return reverse(f"admin:axes_{name}", args=args)


def test_a_council_administrator_sees_and_lifts_their_own_councils_lockout(client, councils):
    _fail(Client(), "croydon-officer", times=10)
    _fail(Client(), "kent-officer", times=10)
    _fail(Client(), "no-such-user", times=10)
    croydon_lock = AccessAttempt.objects.get(username="croydon-officer")
    client.force_login(councils["admin"])

    listed = client.get(_admin_url("accessattempt_changelist"))
    failures = client.get(_admin_url("accessfailurelog_changelist"))
    lifted = client.post(_admin_url("accessattempt_delete", croydon_lock.pk), {"post": "yes"})
    signed_in = _sign_in(Client(), "croydon-officer", PASSWORD)

    assert [row.username for row in listed.context["cl"].result_list] == ["croydon-officer"]
    assert {row.username for row in failures.context["cl"].result_list} == {"croydon-officer"}
    assert len(failures.context["cl"].result_list) == 10
    assert lifted.status_code == 302
    assert not AccessAttempt.objects.filter(username="croydon-officer").exists()
    assert signed_in.status_code == 302


def test_another_councils_lockout_is_a_404_to_a_council_administrator(client, councils):
    _fail(Client(), "kent-officer", times=10)
    kent_lock = AccessAttempt.objects.get(username="kent-officer")
    client.force_login(councils["admin"])

    pages = [
        client.get(_admin_url("accessattempt_change", kent_lock.pk)),
        client.get(_admin_url("accessattempt_delete", kent_lock.pk)),
        client.post(_admin_url("accessattempt_delete", kent_lock.pk), {"post": "yes"}),
    ]
    client.post(
        _admin_url("accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": [kent_lock.pk], "post": "yes"},
    )

    assert [page.status_code for page in pages] == [404, 404, 404]
    assert AccessAttempt.objects.filter(pk=kent_lock.pk).exists()


def test_lockout_records_are_read_only_even_to_a_superuser(client, councils):
    _fail(Client(), "kent-officer", times=10)
    lock = AccessAttempt.objects.get(username="kent-officer")
    failure = AccessFailureLog.objects.filter(username="kent-officer").first()
    root = user_with_role(Role.ADMINISTRATOR, username="root", is_staff=True, is_superuser=True)
    client.force_login(root)

    listed = client.get(_admin_url("accessattempt_changelist"))
    change = client.post(_admin_url("accessattempt_change", lock.pk), {"failures_since_start": 0})
    add = client.get(_admin_url("accessattempt_add"))
    delete_failure = client.get(_admin_url("accessfailurelog_delete", failure.pk))

    assert [row.username for row in listed.context["cl"].result_list] == ["kent-officer"]
    assert change.status_code == 403
    assert add.status_code == 403
    assert delete_failure.status_code == 403
    lock.refresh_from_db()
    assert lock.failures_since_start == 10


def test_staff_who_do_not_manage_users_see_no_lockouts(client, councils):
    manager = user_with_role(Role.MANAGER, username="croydon-manager", is_staff=True)
    client.force_login(manager)

    response = client.get(_admin_url("accessattempt_changelist"))

    assert response.status_code == 403


# --- Password reset requests are limited --------------------------------------------------


def _ask_reset(email, *, address="192.0.2.10"):
    return Client().post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_the_sixth_reset_request_from_an_address_in_an_hour_sends_no_email(db):
    for n in range(6):
        user_with_role(Role.VIEWER, username=f"reset{n}", email=f"reset{n}@example.org")

    responses = [_ask_reset(f"reset{n}@example.org") for n in range(6)]
    from_elsewhere = _ask_reset("reset5@example.org", address="198.51.100.7")

    assert {(r.status_code, r.url) for r in responses} == {(302, reverse("password_reset_done"))}
    assert [message.to for message in mail.outbox] == [
        ["reset0@example.org"],
        ["reset1@example.org"],
        ["reset2@example.org"],
        ["reset3@example.org"],
        ["reset4@example.org"],
        ["reset5@example.org"],
    ]
    assert from_elsewhere.url == reverse("password_reset_done")


def test_the_fourth_reset_request_for_one_email_in_an_hour_sends_no_email(viewer):
    responses = [_ask_reset("VIEWER@example.org", address=f"198.51.100.{n}") for n in range(4)]

    assert [r.url for r in responses] == [reverse("password_reset_done")] * 4
    assert [message.to for message in mail.outbox] == [["viewer@example.org"]] * 3


def test_an_unknown_email_gets_the_same_page_and_no_email(db):
    response = _ask_reset("nobody@example.org")

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


# --- Sessions: 30 minutes idle, 12 hours in all --------------------------------------------


def _signed_in_hours_ago(client, user, hours, seconds=0):
    client.force_login(user)
    session = client.session
    session[SIGNED_IN_AT] = (timezone.now() - timedelta(hours=hours, seconds=seconds)).timestamp()
    session.save()


def test_a_session_twelve_hours_old_is_ended_and_the_sign_in_page_says_why(client, viewer):
    _signed_in_hours_ago(client, viewer, 12, seconds=1)

    response = client.get(reverse("recommendations:complaint_list"))
    page = client.get(response.url)

    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next={reverse('recommendations:complaint_list')}"
    assert _signed_in_as(client) is None
    assertInHTML(
        _banner("You were signed out after 12 hours: sign in again"), page.content.decode()
    )


def test_a_busy_session_lasts_until_twelve_hours(client, viewer):
    _signed_in_hours_ago(client, viewer, 11, seconds=59 * 60)

    response = client.get(reverse("recommendations:complaint_list"))

    assert response.status_code == 200
    assert _signed_in_as(client) == str(viewer.pk)


def test_signing_in_starts_the_twelve_hours(client, viewer):
    before = timezone.now().timestamp()

    _sign_in(client, "viewer", PASSWORD)

    assert before <= client.session[SIGNED_IN_AT] <= timezone.now().timestamp()


def test_sessions_end_after_thirty_idle_minutes_renewed_at_most_once_a_minute(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert settings.SESSION_RENEW_AFTER == 60


def _session_row(client):
    return Session.objects.get(session_key=client.session.session_key)


def _renewed_seconds_ago(client, seconds):
    """The session as if its idle timeout was last renewed ``seconds`` ago, with the expiry
    that renewal gave it."""
    session = client.session
    renewed = timezone.now() - timedelta(seconds=seconds)
    session[RENEWED_AT] = renewed.timestamp()
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=renewed + timedelta(seconds=django_settings.SESSION_COOKIE_AGE)
    )
    return renewed


def test_a_page_within_a_minute_of_the_last_renewal_does_not_save_the_session(client, viewer):
    client.force_login(viewer)
    renewed = _renewed_seconds_ago(client, 30)
    expiry = _session_row(client).expire_date

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("recommendations:complaint_list"))

    assert response.status_code == 200
    assert [q["sql"] for q in queries if "django_session" in q["sql"]] == [
        next(q["sql"] for q in queries if q["sql"].startswith('SELECT "django_session"'))
    ]
    assert _session_row(client).expire_date == expiry
    assert client.session[RENEWED_AT] == renewed.timestamp()


def test_a_page_over_a_minute_after_the_last_renewal_renews_the_idle_timeout(client, viewer):
    client.force_login(viewer)
    _renewed_seconds_ago(client, 61)
    before = timezone.now()

    response = client.get(reverse("recommendations:complaint_list"))

    assert response.status_code == 200
    row = _session_row(client)
    idle = timedelta(seconds=django_settings.SESSION_COOKIE_AGE)
    assert before + idle <= row.expire_date <= timezone.now() + idle
    assert before.timestamp() <= client.session[RENEWED_AT] <= timezone.now().timestamp()


def test_a_session_idle_for_thirty_minutes_is_signed_out(client, viewer):
    client.force_login(viewer)
    _renewed_seconds_ago(client, 30 * 60 + 1)

    response = client.get(reverse("recommendations:complaint_list"))

    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next={reverse('recommendations:complaint_list')}"


def test_a_session_renewed_twenty_nine_minutes_ago_still_works_and_is_renewed(client, viewer):
    client.force_login(viewer)
    _renewed_seconds_ago(client, 29 * 60)

    response = client.get(reverse("recommendations:complaint_list"))

    assert response.status_code == 200
    assert _session_row(client).expire_date > timezone.now() + timedelta(minutes=29)


def test_an_expired_session_cookie_is_not_made_into_a_new_session(client, viewer):
    client.force_login(viewer)
    _renewed_seconds_ago(client, 30 * 60 + 1)
    Session.objects.all().delete()

    client.get(LOGIN)

    assert Session.objects.count() == 0


def test_deactivating_a_user_ends_their_sessions(client, viewer):
    client.force_login(viewer)
    other_device = Client()
    other_device.force_login(viewer)
    colleague = Client()
    colleague.force_login(user_with_role(Role.VIEWER, username="colleague"))

    viewer.is_active = False
    viewer.save()

    for device in (client, other_device):
        response = device.get(reverse("home"))
        assert response.status_code == 302
        assert response.url == f"{LOGIN}?next=/"
    assert colleague.get(reverse("home")).status_code == 200


def test_deactivating_a_user_deletes_their_session_records(client, viewer):
    client.force_login(viewer)
    Client().force_login(user_with_role(Role.VIEWER, username="colleague"))

    viewer.is_active = False
    viewer.save()

    assert user_sessions_end(user=viewer) == 0
    assert user_sessions_end(user=User.objects.get(username="colleague")) == 1


def test_an_administrator_setting_a_password_ends_the_users_sessions(client, councils):
    officer = Client()
    officer.force_login(councils["croydon"])
    client.force_login(councils["admin"])

    response = client.post(
        reverse("admin:auth_user_password_change", args=[councils["croydon"].pk]),
        {"password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"},
    )

    assert response.status_code == 302
    after = officer.get(reverse("home"))
    assert after.status_code == 302
    assert after.url == f"{LOGIN}?next=/"


def test_changing_ones_own_password_keeps_this_session_and_ends_the_others(client, viewer):
    client.force_login(viewer)
    other_device = Client()
    other_device.force_login(viewer)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert other_device.get(reverse("home")).status_code == 302


def test_signing_out_says_so_on_the_sign_in_page(client, viewer):
    client.force_login(viewer)

    response = client.post(reverse("logout"), follow=True)

    assert response.redirect_chain == [(LOGIN, 302)]
    assertInHTML(_banner("You have signed out"), response.content.decode())


# --- Passwords of at least 12 characters --------------------------------------------------


def test_a_password_of_eleven_characters_is_refused_with_the_reason(client, viewer):
    client.force_login(viewer)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "elevenchars", "new_password2": "elevenchars"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "new_password2": ["This password is too short. It must contain at least 12 characters."]
    }
    viewer.refresh_from_db()
    assert viewer.check_password(PASSWORD)


def test_the_password_change_form_says_how_long_a_password_must_be(client, viewer):
    client.force_login(viewer)

    response = client.get(reverse("password_change"))

    assert "<li>Your password must contain at least 12 characters.</li>" in (
        response.content.decode()
    )


def test_the_new_password_form_of_a_reset_says_how_long_a_password_must_be(client, viewer):
    link = reverse(
        "password_reset_confirm",
        args=[
            urlsafe_base64_encode(force_bytes(viewer.pk)),
            default_token_generator.make_token(viewer),
        ],
    )

    response = client.get(link, follow=True)

    assert response.context["validlink"] is True
    assert "<li>Your password must contain at least 12 characters.</li>" in (
        response.content.decode()
    )


def test_a_password_of_twelve_characters_is_accepted(client, viewer):
    client.force_login(viewer)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "twelve-chars",
            "new_password2": "twelve-chars",
        },
    )

    assert response.status_code == 302
    viewer.refresh_from_db()
    assert viewer.check_password("twelve-chars")
