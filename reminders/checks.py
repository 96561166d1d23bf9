"""A deployment check: reminders, escalations and live concerns go by email, so production must
send it somewhere. The demo's console backend would print them to a log nobody reads."""

from django.conf import settings
from django.core.checks import Warning, register

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
