"""Each organisation may choose which compliance rate leads (ComplianceSettings); its
Administrators may see, add and change that choice in the administration site."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

CODENAMES = ["view_compliancesettings", "add_compliancesettings", "change_compliancesettings"]
ROLES = ["Administrators"]


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="deadlines", codename__in=CODENAMES)


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; the role needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    """Undone, nothing of the model is left: its content types go, and their permissions
    with them (from every role)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(
        app_label="deadlines",
        model__in=["compliancesettings", "historicalcompliancesettings"],
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0003_s31_confirmation_counted_as_the_act_reads"),
        ("organisations", "0003_history_reasons_as_text"),
        ("accounts", "0007_administrators_leave_shared_data"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalComplianceSettings",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "lead_rate",
                    models.CharField(
                        choices=[
                            ("implemented", "Implemented, late or not"),
                            ("on_time", "Implemented on time"),
                        ],
                        default="implemented",
                        help_text="Shown first on the dashboard and in committee reports; the other is shown beside it. 'Implemented, late or not' is how the Ombudsman's annual letter appears to count compliance (unverified), with lateness reported beside it. Reports already issued keep the order they were issued with.",
                        max_length=20,
                        verbose_name="rate that leads",
                    ),
                ),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="organisations.organisation",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical compliance settings",
                "verbose_name_plural": "historical compliance settings",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="ComplianceSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "lead_rate",
                    models.CharField(
                        choices=[
                            ("implemented", "Implemented, late or not"),
                            ("on_time", "Implemented on time"),
                        ],
                        default="implemented",
                        help_text="Shown first on the dashboard and in committee reports; the other is shown beside it. 'Implemented, late or not' is how the Ombudsman's annual letter appears to count compliance (unverified), with lateness reported beside it. Reports already issued keep the order they were issued with.",
                        max_length=20,
                        verbose_name="rate that leads",
                    ),
                ),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                (
                    "organisation",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="compliance_settings",
                        to="organisations.organisation",
                    ),
                ),
            ],
            options={
                "verbose_name": "compliance settings",
                "verbose_name_plural": "compliance settings",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("lead_rate__in", ["implemented", "on_time"])),
                        name="compliance_lead_rate_known",
                    )
                ],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
