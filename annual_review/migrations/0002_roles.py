"""Managers and administrators record the Ombudsman's annual letters and read them.

Others who may open the dashboard read them too (staff who see every organisation: checked in
``annual_review.selectors.letters_allowed``, not granted here).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

RECORD = [
    "annual_review.view_annualletter",
    "annual_review.add_annualletter",
    "annual_review.change_annualletter",
]
ROLES = {"Managers": RECORD, "Administrators": RECORD}


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
    ours = Permission.objects.filter(content_type__app_label="annual_review")
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*ours)


class Migration(migrations.Migration):
    dependencies = [
        ("annual_review", "0001_letters"),
        ("accounts", "0007_administrators_leave_shared_data"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
