"""Nothing the app serves is kept in a cache: on a shared council PC the next person must not
find a complaint, an audit programme, a live concern, evidence or a report in the browser's
history or cache.

Every URL of the resolver but the admin's is opened by a signed-in manager, whatever it
answers; the records are tests/test_permissions.py's, made once for the module.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.roles import Role
from reminders import services as reminder_services
from tests import test_permissions
from tests.test_permissions import EXPECTED, _url

# tests/test_permissions.py's records, made once for this module too.
world = test_permissions.world
records = test_permissions.records

NEVER_STORED = {"max-age=0", "no-cache", "no-store", "must-revalidate", "private"}
# URLs whose arguments are not one of the records in tests/test_permissions.py's table.
OTHER_ARGUMENTS = {
    "reminders:calendar_mine": "token",
    "reminders:calendar_organisation": "token",
    "password_reset_confirm": ("MQ", "set-password"),
    # A personal link's page, here for a token that was never made.
    "learning:acknowledge_link": ("made-up",),
}


def _patterns(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def every_url_name():
    """Every named URL of the project, its sign-in, two-factor and feed pages included; the
    admin's pages are Django's, and one of them is tried below."""
    return sorted({name for name, _ in _patterns(get_resolver()) if not name.startswith("admin:")})


def _cache_control(response):
    return {directive.strip() for directive in response["Cache-Control"].split(",")}


@pytest.fixture
def manager(client, records):
    user = records["staff"][(records["croydon"], Role.MANAGER)]
    reminder_services.calendar_token_reset(user=user)
    client.force_login(user)
    return user


def _address(name, records, manager):
    if name in EXPECTED:
        return _url(name, records)
    arguments = OTHER_ARGUMENTS.get(name, ())
    if arguments == "token":
        arguments = (manager.calendar_token,)
    return reverse(name, args=arguments)


@pytest.mark.parametrize("name", every_url_name())
def test_no_page_or_file_is_stored_by_a_signed_in_users_browser(client, records, manager, name):
    response = client.get(_address(name, records, manager))

    assert _cache_control(response) == NEVER_STORED, response.status_code


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("recommendations:evidence_download", "application/pdf"),
        ("reports:report_pdf", "application/pdf"),
        (
            "reports:report_docx",
            ("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ),
        ("reports:report_csv", "text/csv; charset=utf-8"),
        ("recommendations:tracker_export", "text/csv; charset=utf-8"),
        ("reports:minutes_download", "application/pdf"),
    ],
)
def test_downloads_of_case_data_are_never_stored(client, records, manager, name, content_type):
    response = client.get(_url(name, records))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert _cache_control(response) == NEVER_STORED


@pytest.mark.parametrize("feed", ["reminders:calendar_mine", "reminders:calendar_organisation"])
def test_calendar_feeds_are_never_stored_though_their_programs_sign_in_with_no_session(
    client, records, manager, feed
):
    client.logout()

    response = client.get(reverse(feed, args=[manager.calendar_token]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert _cache_control(response) == NEVER_STORED


@pytest.mark.parametrize("name", ["login", "password_reset", "admin:login"])
def test_sign_in_pages_are_never_stored_either(client, db, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert _cache_control(response) == NEVER_STORED


def test_the_admin_is_never_stored(client, records):
    client.force_login(records["staff"][(records["croydon"], Role.ADMINISTRATOR)])
    user = records["staff"][(records["croydon"], Role.OFFICER)]

    response = client.get(reverse("admin:accounts_user_change", args=[user.pk]))

    assert _cache_control(response) == NEVER_STORED
