"""A schedule for every kind of deadline: 28, 14, 7 and 1 days before, on the day, then weekly."""

from django.db import migrations

KINDS = [
    "recommendation",
    "s31_response",
    "s31_confirmation",
    "s30_notice",
    "s30_inspection",
    "audit_programme",
    "full_audit",
    "live_concern",
]


def add(apps, schema_editor):
    ReminderSchedule = apps.get_model("reminders", "ReminderSchedule")
    for kind in KINDS:
        days_before = [1] if kind == "live_concern" else [28, 14, 7, 1]
        ReminderSchedule.objects.get_or_create(
            deadline_kind=kind,
            defaults={
                "days_before": days_before,
                "on_the_day": True,
                "overdue_every_days": 1 if kind == "live_concern" else 7,
                "escalate_after": 1 if kind == "live_concern" else 2,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("reminders", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
