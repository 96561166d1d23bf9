"""What an operator is told by `manage.py check` when a deployment setting is wrong."""

import pytest
from django.core import checks
from docx import Document

from deadlines.models import DeadlineKind
from reminders.checks import mail_settings_check, reminder_schedules_check
from reminders.models import ReminderSchedule
from reports.checks import docx_template_check
from reports.docx import STYLES


def _ids(problems):
    return [problem.id for problem in problems]


def test_no_council_template_needs_no_check(settings):
    settings.REPORTS_DOCX_TEMPLATE = None

    assert docx_template_check(None) == []


def test_a_template_that_is_not_there_is_an_error(settings, tmp_path):
    settings.REPORTS_DOCX_TEMPLATE = str(tmp_path / "letterhead.docx")

    [problem] = docx_template_check(None)

    assert problem.id == "reports.E001"
    assert problem.level == checks.ERROR
    assert "letterhead.docx" in problem.msg


def test_a_template_that_is_not_a_word_document_is_an_error(settings, tmp_path):
    not_word = tmp_path / "letterhead.docx"
    not_word.write_text("Dear councillor")
    settings.REPORTS_DOCX_TEMPLATE = str(not_word)

    assert _ids(docx_template_check(None)) == ["reports.E001"]


def test_a_template_without_the_reports_styles_is_warned_of_by_name(settings, tmp_path):
    template = Document()
    template.styles["List Bullet"].delete()
    template.save(tmp_path / "letterhead.docx")
    settings.REPORTS_DOCX_TEMPLATE = str(tmp_path / "letterhead.docx")

    [problem] = docx_template_check(None)

    assert problem.id == "reports.W001"
    assert "List Bullet" in problem.msg
    assert "Title" not in problem.msg


def test_a_template_with_every_style_passes(settings, tmp_path):
    template = Document()
    assert all(name in template.styles for name in STYLES)
    template.save(tmp_path / "letterhead.docx")
    settings.REPORTS_DOCX_TEMPLATE = str(tmp_path / "letterhead.docx")

    assert docx_template_check(None) == []


def test_production_that_would_print_its_emails_to_the_log_is_warned(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "ombudsman-tracker@localhost"

    assert _ids(mail_settings_check(None)) == ["reminders.W001", "reminders.W002"]


def test_production_mail_through_a_server_from_the_councils_address_passes(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "ombudsman-tracker@croydon.gov.uk"

    assert mail_settings_check(None) == []


def test_the_mail_check_runs_only_for_deployment_checks():
    registry = checks.registry.registry

    assert mail_settings_check in registry.get_checks(include_deployment_checks=True)
    assert mail_settings_check not in registry.get_checks()


@pytest.mark.django_db
def test_every_kind_of_deadline_has_a_reminder_schedule_after_migrating():
    assert checks.run_checks(databases=["default"], tags=[checks.Tags.database]) == []


@pytest.mark.django_db
def test_a_deleted_reminder_schedule_is_warned_of_by_the_kind_it_served():
    ReminderSchedule.objects.filter(deadline_kind=DeadlineKind.FULL_AUDIT).delete()

    problems = reminder_schedules_check(None, databases=["default"])

    assert _ids(problems) == ["reminders.W003"]
    assert "No reminder schedule for: Full audit." in problems[0].msg


def test_the_schedules_check_reads_the_database_only_when_asked():
    assert reminder_schedules_check(None) == []
