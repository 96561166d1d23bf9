"""Every 403 is logged as one line saying which logger wrote it, who was refused (the user's
id), where (the path) and why: never a traceback, which would bury the refusals a council
looks for among errors (settings.LOGGING, ombudsman_tracker.log_filters)."""

import logging
import sys

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseForbidden
from django.test import Client
from django.urls import reverse
from django.utils.log import log_response

from ombudsman_tracker.log_filters import ForbiddenOnOneLine

# The console handler's format, as a line of the log reads.
LINE = logging.Formatter(settings.LOGGING["formatters"]["line"]["format"])


def _forbidden_lines(caplog) -> list[str]:
    return [LINE.format(record) for record in caplog.records if record.name.startswith("django")]


@pytest.mark.django_db
def test_a_page_refused_to_a_role_is_one_line_naming_the_missing_permission(client, viewer, caplog):
    client.force_login(viewer)

    with caplog.at_level(logging.WARNING, logger="django"):
        response = client.get(reverse("recommendations:complaint_create"))

    assert response.status_code == 403
    assert _forbidden_lines(caplog) == [
        f"WARNING django.request: Forbidden: user {viewer.pk}, path /complaints/add/, "
        "reason: needs the permission recommendations.add_complaint"
    ]
    (record,) = [record for record in caplog.records if record.name == "django.request"]
    assert (record.exc_info, record.exc_text) == (None, None)


@pytest.mark.django_db
def test_a_form_posted_without_its_csrf_token_is_one_line_with_the_csrf_reason(caplog):
    with caplog.at_level(logging.WARNING, logger="django"):
        response = Client(enforce_csrf_checks=True).post(
            reverse("login"), {"username": "someone", "password": "anything"}
        )

    assert response.status_code == 403
    assert _forbidden_lines(caplog) == [
        "WARNING django.security.csrf: Forbidden: user anonymous, path /accounts/login/, "
        "reason: CSRF check failed (CSRF cookie not set.)"
    ]


def test_a_newline_in_the_path_cannot_start_a_second_line(rf, caplog):
    request = rf.get("/complaints/1/%0AWARNING forged entry")
    request.user = AnonymousUser()

    with caplog.at_level(logging.WARNING, logger="django"):
        log_response(
            "Forbidden: %s", request.path, response=HttpResponseForbidden(), request=request
        )

    assert _forbidden_lines(caplog) == [
        r"WARNING django.request: Forbidden: user anonymous, path /complaints/1/\nWARNING "
        "forged entry, reason: forbidden"
    ]


def test_the_reason_survives_logging_configured_twice(rf):
    """A second ``dictConfig`` (a Celery worker starting in the process does one) adds a
    second filter to the logger: the record it rewrote first keeps its reason."""
    request = rf.get("/complaints/add/")
    request.user = AnonymousUser()
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Forbidden", (), None
    )
    record.status_code, record.request = 403, request
    try:
        raise PermissionDenied("needs the permission recommendations.add_complaint")
    except PermissionDenied:
        record.exc_info = sys.exc_info()

    for _ in range(2):
        assert ForbiddenOnOneLine().filter(record)

    assert LINE.format(record) == (
        "WARNING django.request: Forbidden: user anonymous, path /complaints/add/, "
        "reason: needs the permission recommendations.add_complaint"
    )
