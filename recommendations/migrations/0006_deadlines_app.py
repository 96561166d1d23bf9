"""Deadline, Extension and StatutoryClockRule now belong to the deadlines app (state only:
their tables and rows stay; deadlines 0001 takes them over)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0007_deadlines_app"),
        ("deadlines", "0001_initial"),
        ("recommendations", "0005_tracker_uploads"),
        ("reminders", "0004_deadlines_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="deadline",
                    name="complaint",
                ),
                migrations.RemoveField(
                    model_name="deadline",
                    name="organisation",
                ),
                migrations.RemoveField(
                    model_name="deadline",
                    name="owner",
                ),
                migrations.AlterField(
                    model_name="historicalrecommendation",
                    name="deadline",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="deadlines.deadline",
                    ),
                ),
                migrations.AlterField(
                    model_name="recommendation",
                    name="deadline",
                    field=models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="recommendation",
                        to="deadlines.deadline",
                    ),
                ),
                migrations.RemoveField(
                    model_name="historicalextension",
                    name="deadline",
                ),
                migrations.RemoveField(
                    model_name="extension",
                    name="deadline",
                ),
                migrations.RemoveField(
                    model_name="extension",
                    name="decided_by",
                ),
                migrations.RemoveField(
                    model_name="extension",
                    name="requested_by",
                ),
                migrations.RemoveField(
                    model_name="historicaldeadline",
                    name="complaint",
                ),
                migrations.RemoveField(
                    model_name="historicaldeadline",
                    name="history_user",
                ),
                migrations.RemoveField(
                    model_name="historicaldeadline",
                    name="organisation",
                ),
                migrations.RemoveField(
                    model_name="historicaldeadline",
                    name="owner",
                ),
                migrations.RemoveField(
                    model_name="historicalextension",
                    name="decided_by",
                ),
                migrations.RemoveField(
                    model_name="historicalextension",
                    name="history_user",
                ),
                migrations.RemoveField(
                    model_name="historicalextension",
                    name="requested_by",
                ),
                migrations.RemoveField(
                    model_name="historicalstatutoryclockrule",
                    name="history_user",
                ),
                migrations.DeleteModel(
                    name="StatutoryClockRule",
                ),
                migrations.DeleteModel(
                    name="Deadline",
                ),
                migrations.DeleteModel(
                    name="Extension",
                ),
                migrations.DeleteModel(
                    name="HistoricalDeadline",
                ),
                migrations.DeleteModel(
                    name="HistoricalExtension",
                ),
                migrations.DeleteModel(
                    name="HistoricalStatutoryClockRule",
                ),
            ],
            database_operations=[],
        ),
    ]
