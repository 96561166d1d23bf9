"""The deadlines' foreign keys now point at the deadlines app (state only: same table)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0001_initial"),
        ("reminders", "0003_history_reasons_as_text"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="reminder",
                    name="deadline",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reminders",
                        to="deadlines.deadline",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
