"""The moved tables take the deadlines app's names (a rename: no row is copied)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0001_initial"),
        # After every app's foreign keys have moved to this app's models, so no migration
        # before it looks for a table under the new name (or after it under the old one).
        ("recommendations", "0006_deadlines_app"),
    ]

    operations = [
        migrations.RenameIndex(
            model_name="deadline",
            new_name="deadlines_d_status_0751fe_idx",
            old_name="recommendat_status_e2fb48_idx",
        ),
        migrations.AlterModelTable(
            name="deadline",
            table=None,
        ),
        migrations.AlterModelTable(
            name="extension",
            table=None,
        ),
        migrations.AlterModelTable(
            name="historicaldeadline",
            table=None,
        ),
        migrations.AlterModelTable(
            name="historicalextension",
            table=None,
        ),
        migrations.AlterModelTable(
            name="historicalstatutoryclockrule",
            table=None,
        ),
        migrations.AlterModelTable(
            name="statutoryclockrule",
            table=None,
        ),
    ]
