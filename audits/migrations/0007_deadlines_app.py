"""The deadlines' foreign keys now point at the deadlines app (state only: same table)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0006_live_concern_emailed_at"),
        ("deadlines", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditprogramme",
                    name="deadline",
                    field=models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="audit_programme",
                        to="deadlines.deadline",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalauditprogramme",
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
                    model_name="historicalliveconcern",
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
                    model_name="liveconcern",
                    name="deadline",
                    field=models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="live_concern",
                        to="deadlines.deadline",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
