"""A live concern's deadline is seen by everyone of the organisation (home page, dashboard,
reminders, calendar feeds, a complaint's history), and its title named the case. Give the
existing ones, and their history, the title new ones get (``services.concern_raise``)."""

from django.db import migrations

TITLE = "Response to a live concern"


def generic_titles(apps, schema_editor):
    for model in ("Deadline", "HistoricalDeadline"):
        rows = apps.get_model("recommendations", model).objects.filter(kind="live_concern")
        rows.update(title=TITLE)


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0003_history_reasons_as_text"),
        ("recommendations", "0004_history_reasons_as_text"),
    ]

    # The titles that named the case are not put back.
    operations = [migrations.RunPython(generic_titles, migrations.RunPython.noop)]
