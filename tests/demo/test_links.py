"""Links in emails lead to the address the app is served on (``SITE_URL``), which ``bin/demo``
sets from the port it serves on."""

import os
import subprocess
import uuid
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]

STUB_PYTHON = """#!/usr/bin/env bash
# Records each manage.py command with the SITE_URL it was given; runserver returns at once.
echo "${SITE_URL-unset} $*" >>"$(dirname "$0")/../../commands.log"
"""
STUB_CELERY = """#!/usr/bin/env bash
exec sleep 30
"""


def _executable(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)


def _run_bin_demo(tmp_path, **env) -> list[str]:
    """``bin/demo`` as it is, with setup, Python and Celery stubbed: the commands it ran."""
    _executable(tmp_path / "bin" / "demo", (ROOT / "bin" / "demo").read_text())
    _executable(tmp_path / "bin" / "setup", "#!/usr/bin/env bash\n")
    _executable(tmp_path / ".venv" / "bin" / "python", STUB_PYTHON)
    _executable(tmp_path / ".venv" / "bin" / "celery", STUB_CELERY)
    subprocess.run(
        [tmp_path / "bin" / "demo"],
        env={"PATH": os.environ["PATH"], "HOME": str(tmp_path), **env},
        check=True,
        capture_output=True,
        timeout=60,
    )
    return (tmp_path / "commands.log").read_text().splitlines()


def test_bin_demo_gives_every_command_the_address_it_serves_on(tmp_path):
    commands = _run_bin_demo(tmp_path, PORT="8123")

    assert commands == [
        "http://localhost:8123 manage.py migrate --noinput",
        "http://localhost:8123 manage.py seed_demo",
        "http://localhost:8123 manage.py dispatch_reminders",
        "http://localhost:8123 manage.py runserver 8123",
    ]


def test_bin_demo_keeps_a_site_url_it_is_given(tmp_path):
    commands = _run_bin_demo(tmp_path, SITE_URL="https://tracker.example.org")

    assert commands[-1] == "https://tracker.example.org manage.py runserver 8000"


@pytest.mark.django_db
def test_a_password_reset_link_leads_to_site_url_whatever_host_was_asked(settings, mailoutbox):
    settings.SITE_URL = "http://localhost:8123"
    # Limits are counted in Redis for an hour: never this test's business.
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 1000
    email = f"reset-{uuid.uuid4().hex[:12]}@example.org"
    UserFactory(role=Role.OFFICER, email=email)

    Client().post(reverse("password_reset"), {"email": email}, HTTP_HOST="127.0.0.1")

    (message,) = mailoutbox
    assert "http://localhost:8123/accounts/reset/" in message.body
    assert "127.0.0.1" not in message.body
