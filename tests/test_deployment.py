"""The deployment files refer to things that exist: commands, modules and settings.

No Docker engine is needed: docker-compose.yml and the Dockerfile are read as text, and every
command they run is resolved the way its program would resolve it.
"""

import importlib
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import threading
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
import yaml
from celery import Celery
from celery.app.utils import find_app
from celery.bin.celery import celery as celery_cli
from django.core.management import get_commands
from django.core.wsgi import get_wsgi_application

from health.management.commands.health import PARTS

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
# The services that run the project's own image.
APP_SERVICES = sorted(name for name, service in SERVICES.items() if "build" in service)

# Read by docker compose itself, not by the app: the db container's password.
COMPOSE_ONLY_VARIABLES = {"POSTGRES_PASSWORD"}

# Importing the WSGI application builds WhiteNoise, which warns that staticfiles/ is missing
# until collectstatic has run; the image runs it at build time.
pytestmark = pytest.mark.filterwarnings("ignore:No directory at:UserWarning")


def settings_variables():
    source = (ROOT / "ombudsman_tracker" / "settings.py").read_text()
    return set(re.findall(r'\benv(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]*)"', source))


def env_example_variables():
    text = (ROOT / ".env.example").read_text()
    # Set ("NAME=") or shown with its default ("#NAME=").
    return set(re.findall(r"^#?([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def dockerfile_instructions():
    """(instruction, arguments) pairs, with continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text()
    text = re.sub(r"\\\n", " ", text)
    lines = [line.strip() for line in text.splitlines()]
    return [tuple(line.split(None, 1)) for line in lines if line and not line.startswith("#")]


def dockerfile_exec_form(instruction):
    [arguments] = [args for name, args in dockerfile_instructions() if name == instruction]
    return json.loads(arguments)


def assert_command_resolves(argv):
    """Fail unless the program in argv would find what argv names."""
    program, *arguments = argv
    if program == "gunicorn":
        target = next(argument for argument in arguments if not argument.startswith("-"))
        module, attribute = target.split(":")
        application = getattr(importlib.import_module(module), attribute)
        assert callable(application), target
    elif program == "celery":
        assert arguments[0] == "-A", argv
        assert isinstance(find_app(arguments[1]), Celery), argv
        assert arguments[2] in celery_cli.commands, argv
    elif program == "python" and arguments[0] == "manage.py":
        assert arguments[1] in get_commands(), argv
    else:
        pytest.fail(f"no rule to check the command {argv}")


def test_compose_defines_the_five_services():
    assert {"web", "worker", "beat", "db", "redis"} <= set(SERVICES)


def test_compose_runs_migrations_before_the_app_starts():
    assert SERVICES["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    for name in ("web", "worker", "beat"):
        migrate = SERVICES[name]["depends_on"]["migrate"]
        assert migrate == {"condition": "service_completed_successfully"}


@pytest.mark.parametrize("name", APP_SERVICES)
def test_compose_app_service_command_resolves(name):
    assert_command_resolves(SERVICES[name]["command"])


def test_worker_and_beat_use_the_projects_celery_app():
    assert (ROOT / "ombudsman_tracker" / "celery.py").is_file()
    app = importlib.import_module("ombudsman_tracker.celery").app
    assert find_app("ombudsman_tracker") is app
    assert SERVICES["worker"]["command"][:4] == ["celery", "-A", "ombudsman_tracker", "worker"]
    assert SERVICES["beat"]["command"][:4] == ["celery", "-A", "ombudsman_tracker", "beat"]


def test_compose_keeps_evidence_uploads_in_a_named_volume():
    assert "media" in COMPOSE["volumes"]
    web = SERVICES["web"]
    assert f"media:{web['environment']['MEDIA_ROOT']}" in web["volumes"]


def test_compose_databases_have_healthchecks():
    assert SERVICES["db"]["image"] == "postgres:15"
    assert SERVICES["redis"]["image"].startswith("redis:7")
    for name in ("db", "redis"):
        assert SERVICES[name]["healthcheck"]["test"]


def test_compose_checks_the_health_of_every_long_running_app_service():
    assert {name for name in APP_SERVICES if "healthcheck" in SERVICES[name]} == {
        "web",
        "worker",
        "beat",
    }


@pytest.mark.parametrize(("name", "part"), [("worker", "worker"), ("beat", "scheduler")])
def test_compose_checks_worker_and_beat_by_their_own_heartbeat(name, part):
    check = SERVICES[name]["healthcheck"]["test"]

    assert check == ["CMD", "python", "manage.py", "health", part]
    assert_command_resolves(check[1:])
    assert part in PARTS


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def web_app(settings):
    """The app served over plain HTTP on a port of its own, as gunicorn serves it, with
    production's HTTPS redirect and allowed hosts."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["tracker.example.org"]
    server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_compose_checks_the_web_app_answers_over_http_with_the_images_python(web_app):
    """The check's own code, run against the app in place of the container's gunicorn: it
    passes, and fails when nothing answers. The image has no curl."""
    program, *command = SERVICES["web"]["healthcheck"]["test"]
    assert program == "CMD"
    assert command[:2] == ["python", "-c"]
    code = command[2]
    assert "'http://127.0.0.1:8000/health/live'" in code
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        nothing = f"http://127.0.0.1:{probe.getsockname()[1]}"

    def check(address):
        script = code.replace("http://127.0.0.1:8000", address)
        return subprocess.run([sys.executable, "-c", script], capture_output=True, check=False)

    assert check(web_app).returncode == 0
    assert check(nothing).returncode == 1


def test_dockerfile_cmd_resolves():
    assert not [name for name, _ in dockerfile_instructions() if name == "ENTRYPOINT"]
    assert_command_resolves(dockerfile_exec_form("CMD"))


def test_dockerfile_web_command_matches_compose():
    assert dockerfile_exec_form("CMD") == SERVICES["web"]["command"]


def test_dockerfile_manage_py_commands_exist():
    runs = " ".join(args for name, args in dockerfile_instructions() if name == "RUN")
    called = re.findall(r"manage\.py (\w+)", runs)
    assert called == ["collectstatic"]
    assert set(called) <= set(get_commands())


def test_dockerfile_copies_files_that_exist():
    for name, arguments in dockerfile_instructions():
        if name != "COPY" or arguments.startswith("--from"):
            continue
        *sources, _destination = shlex.split(arguments)
        for source in sources:
            assert (ROOT / source).exists(), source


def test_dockerfile_installs_the_hashed_lock_and_runs_as_a_user():
    instructions = dockerfile_instructions()
    assert ("FROM", "python:3.11-slim-bookworm") in instructions
    runs = " ".join(args for name, args in instructions if name == "RUN")
    assert "--require-hashes -r requirements-prod.lock" in runs
    assert [args for name, args in instructions if name == "USER"] == ["app"]
    # The build-only key must not ship as an ENV.
    assert "SECRET_KEY" not in " ".join(args for name, args in instructions if name == "ENV")


def test_compose_variables_are_read_by_settings():
    known = settings_variables() | COMPOSE_ONLY_VARIABLES
    for name in APP_SERVICES:
        assert set(SERVICES[name]["environment"]) <= settings_variables(), name
    interpolated = re.findall(r"\$\{(\w+)", (ROOT / "docker-compose.yml").read_text())
    assert set(interpolated) <= known


def test_env_example_lists_only_variables_the_app_reads():
    assert env_example_variables() - COMPOSE_ONLY_VARIABLES <= settings_variables()


def test_env_example_lists_every_variable_settings_reads():
    assert settings_variables() - env_example_variables() == set()


def test_readme_documents_every_variable_settings_reads():
    readme = (ROOT / "README.md").read_text()
    assert {name for name in settings_variables() if f"| `{name}`" not in readme} == set()


def test_readme_quick_start_is_exactly_bin_demo_then_bin_test():
    readme = (ROOT / "README.md").read_text()
    quick_start = re.search(r"^## Quick start\n(.*?)(?=^##)", readme, re.MULTILINE | re.DOTALL)
    blocks = re.findall(r"^```\w*\n(.*?)^```", quick_start.group(1), re.MULTILINE | re.DOTALL)
    commands = [
        line.strip()
        for block in blocks
        for line in block.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert commands == ["bin/demo", "bin/test"]


def test_ci_runs_the_readmes_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^bin/test\b", ci, re.MULTILINE)
    bin_test = (ROOT / "bin" / "test").read_text()
    # The whole suite, in as many processes as the machine has cores unless the caller says.
    assert re.search(r'^exec \.venv/bin/pytest "\$\{parallel\[@\]\}" "\$@"$', bin_test, re.M)
    assert re.search(r"^parallel=\(-n auto --dist loadfile\)$", bin_test, re.MULTILINE)


@pytest.mark.parametrize("script", ["bin/setup", "bin/demo", "bin/test", ".ci/run"])
def test_script_is_executable(script):
    assert os.access(ROOT / script, os.X_OK)


def test_lock_files_name_no_hosts():
    for lock in ("requirements.lock", "requirements-prod.lock"):
        assert not re.search(r"https?://", (ROOT / lock).read_text())
    package_lock = ROOT / "package-lock.json"
    if package_lock.exists():
        assert '"resolved"' not in package_lock.read_text()
