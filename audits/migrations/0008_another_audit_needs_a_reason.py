"""A recommendation has one sample audit; another carries the reason a manager gave for it
(``services.programme_create``), and the database refuses a second one without a reason.

Sample audits set up twice before this rule get a reason saying so, in their history too, so
that the constraint can be added; the first of each recommendation keeps none.
"""

from django.db import migrations, models
from django.utils import timezone

EARLIER = (
    "Set up before another audit of a recommendation needed a reason: none was recorded. "
    "Check it against the recommendation's first audit."
)


def explain_earlier_duplicates(apps, schema_editor):
    programmes = apps.get_model("audits", "AuditProgramme")
    history = apps.get_model("audits", "HistoricalAuditProgramme")
    auditors_history = apps.get_model("audits", "HistoricalAuditProgramme_auditors")
    seen = set()
    for programme in programmes.objects.filter(kind="sample").order_by("recommendation", "pk"):
        if programme.recommendation_id not in seen:
            seen.add(programme.recommendation_id)
            continue
        programme.another_audit_reason = EARLIER
        programme.version += 1
        programme.save(update_fields=["another_audit_reason", "version"])
        latest = history.objects.filter(id=programme.pk).order_by("-history_date").first()
        if latest is None:
            continue
        auditors = list(auditors_history.objects.filter(history=latest))
        entry = latest
        entry.pk = None
        entry.another_audit_reason, entry.version = EARLIER, programme.version
        entry.history_date, entry.history_type = timezone.now(), "~"
        entry.history_user_id = None
        entry.history_change_reason = "Reason recorded for an earlier second audit"
        entry.save()
        # The entry's auditors, as the one before it had them.
        for auditor in auditors:
            auditor.pk, auditor.history = None, entry
            auditor.save()


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0007_deadlines_app"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditprogramme",
            name="another_audit_reason",
            field=models.TextField(
                blank=True,
                help_text="A recommendation has one sample audit; a manager who sets up another "
                "says why (empty for the first).",
                verbose_name="why another audit of the recommendation is needed",
            ),
        ),
        migrations.AddField(
            model_name="historicalauditprogramme",
            name="another_audit_reason",
            field=models.TextField(
                blank=True,
                help_text="A recommendation has one sample audit; a manager who sets up another "
                "says why (empty for the first).",
                verbose_name="why another audit of the recommendation is needed",
            ),
        ),
        # The reasons are kept if the migration is reversed.
        migrations.RunPython(explain_earlier_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="auditprogramme",
            constraint=models.UniqueConstraint(
                condition=models.Q(("another_audit_reason", ""), ("kind", "sample")),
                fields=("recommendation",),
                name="one_sample_audit_per_recommendation_unless_explained",
                violation_error_message="This recommendation already has an audit: enter why "
                "another audit is needed.",
            ),
        ),
    ]
