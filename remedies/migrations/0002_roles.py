"""What each role may do with remedy payments (least privilege).

Payments are read by those who read recommendations and report on them, but not by auditors:
a case audit (partner agencies' auditors among them) has no need to know what a council paid
the person who complained. Officers, managers and administrators record them and record them
paid; only managers and administrators cancel one.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ = ["remedies.view_remedypayment"]
RECORD = [*READ, "remedies.add_remedypayment", "remedies.change_remedypayment"]
MANAGE = [*RECORD, "remedies.cancel_remedypayment"]
ROLES = {
    "Viewers": READ,
    "Officers": RECORD,
    "Committee clerks": READ,
    "Managers": MANAGE,
    "Administrators": MANAGE,
}


def _permission(apps, name):
    app_label, codename = name.split(".")
    return apps.get_model("auth", "Permission").objects.get(
        content_type__app_label=app_label, codename=codename
    )


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; the roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for role, names in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*(_permission(apps, name) for name in names))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label="remedies")
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*ours)


class Migration(migrations.Migration):
    dependencies = [
        ("remedies", "0001_payments"),
        ("accounts", "0007_administrators_leave_shared_data"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
