"""Deadlines by due date (then id): a list soonest due first (recommendations, deadlines)
reads one page from this index rather than sorting every row of the organisation."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0004_compliance_settings"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="deadline",
            index=models.Index(fields=["due_date", "id"], name="deadline_soonest_due"),
        ),
    ]
