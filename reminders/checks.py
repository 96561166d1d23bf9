"""Checks of what can be wrong at deploy time. Reminders, escalations and live concerns go by
email, so production must send it somewhere (the demo's console backend would print them to a
log nobody reads); and each kind of deadline needs a reminder schedule, or nobody is reminded.
"""

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import DatabaseError

from deadlines.models import DeadlineKind

NOT_SENT = {
    "django.core.mail.backends.console.EmailBackend": "prints emails to the log",
    "django.core.mail.backends.locmem.EmailBackend": "keeps emails in memory",
    "django.core.mail.backends.dummy.EmailBackend": "drops emails",
    "django.core.mail.backends.filebased.EmailBackend": "writes emails to files",
}


@register(deploy=True)
def mail_settings_check(app_configs, **kwargs):
    problems = []
    if (what := NOT_SENT.get(settings.EMAIL_BACKEND)) is not None:
        problems.append(
            Warning(
                f"EMAIL_BACKEND {what}: no reminder, escalation or live concern reaches anyone.",
                hint="Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and "
                "EMAIL_HOST (see .env.example).",
                id="reminders.W001",
            )
        )
    if settings.DEFAULT_FROM_EMAIL.endswith("@localhost"):
        problems.append(
            Warning(
                f"DEFAULT_FROM_EMAIL is {settings.DEFAULT_FROM_EMAIL}: mail servers refuse or "
                "bin mail from a local address, and nobody can reply.",
                hint="Set DEFAULT_FROM_EMAIL to an address of the council's domain.",
                id="reminders.W002",
            )
        )
    return problems


@register(Tags.database)
def reminder_schedules_check(app_configs, databases=None, **kwargs):
    """Run by ``migrate`` and ``check --database default``: a kind of deadline without a
    schedule gets no reminder and no escalation (an administrator may have deleted one)."""
    from .models import ReminderSchedule

    problems = []
    for alias in databases or ():
        try:
            scheduled = set(
                ReminderSchedule.objects.using(alias).values_list("deadline_kind", flat=True)
            )
        except DatabaseError:
            continue  # not migrated yet: the migrations give every kind a schedule
        if missing := [kind.label for kind in DeadlineKind if kind not in scheduled]:
            problems.append(
                Warning(
                    f"No reminder schedule for: {'; '.join(missing)}. Their owners are never "
                    "reminded and missed deadlines are never escalated.",
                    hint="Add a reminder schedule for each in the admin (Reminder schedules).",
                    id="reminders.W003",
                )
            )
    return problems
