"""No address gives a server error: every URL pattern of the project, the admin's and the
sign-in pages' included, with odd values in each of its parameters.

Someone probing the site (or a mangled link in an email) sends NUL bytes, very long or
non-ASCII segments, negative or huge ids. Each must get a 4xx (or a redirect to sign in),
never a 500: a 500 here is usually the database refusing a value the code passed on
unchecked, as PostgreSQL refuses a NUL byte in a query.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.roles import Role
from tests.factories import UserFactory, user_with_role

ODD_VALUES = [
    "%00",  # NUL
    "a%00b",
    "x" * 3000,  # overlong
    "%C3%BC%E2%9C%93",  # non-ASCII ("ü✓")
    "%FF",  # not UTF-8
    "-1",
    "0",
    "2147483648",  # one past PostgreSQL's integer
    "99999999999999999999999",  # past a 64-bit integer
    "1%0A",  # a newline
    "..%2F..",
]

# A parameter of a route (<int:pk>, <str:token>) or of a regular expression ((?P<url>.*)).
PARAMETER = re.compile(r"<(?:\w+:)?\w+>|\(\?P<\w+>[^)]*\)")


def _routes(resolver=None, prefix=""):
    """Every URL pattern as one route string, with its parameters still in it."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern).lstrip("^").rstrip("$").replace(r"\Z", "")
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route


ROUTES = sorted({route for route in _routes() if PARAMETER.search(route)})


def test_the_table_reaches_the_project_and_admin_parameters():
    assert "complaints/<int:pk>/" in ROUTES
    assert "calendar/<calendar_token:token>/mine.ics" in ROUTES
    assert any(route.startswith("admin/accounts/user/") for route in ROUTES)


@pytest.fixture
def visitors(db):
    """Who probes: nobody signed in, a council manager, and a superuser (who reaches every
    admin page)."""
    manager, superuser = (
        Client(raise_request_exception=False),
        Client(raise_request_exception=False),
    )
    manager.force_login(user_with_role(Role.MANAGER, username="fuzz-manager"))
    superuser.force_login(UserFactory(username="fuzz-root", is_staff=True, is_superuser=True))
    return {
        "anonymous": Client(raise_request_exception=False),
        "manager": manager,
        "superuser": superuser,
    }


@pytest.mark.parametrize("route", ROUTES)
def test_no_odd_value_in_any_parameter_gives_a_server_error(visitors, route):
    server_errors = []
    for value in ODD_VALUES:
        path = "/" + PARAMETER.sub(value, route)
        for who, client in visitors.items():
            methods = ("get", "post") if who == "superuser" else ("get",)
            for method in methods:
                status = getattr(client, method)(path).status_code
                if status >= 500:
                    server_errors.append(f"{method.upper()} {path[:80]} as {who}: {status}")

    assert server_errors == []
