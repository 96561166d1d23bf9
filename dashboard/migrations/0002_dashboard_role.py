"""Managers and Administrators may open the deadline dashboard.

Staff who see every organisation may open it too, whatever their role: that is checked in
``dashboard.selectors.dashboard_allowed``, not granted here.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSION = ("dashboard", "view_dashboard")
ROLES = ["Managers", "Administrators"]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; the roles need it now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    app_label, codename = PERMISSION
    permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
    for role in ROLES:
        Group.objects.get(name=role).permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    app_label, codename = PERMISSION
    for permission in Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    ):
        for group in Group.objects.filter(name__in=ROLES):
            group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0001_initial"),
        ("accounts", "0004_audit_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
