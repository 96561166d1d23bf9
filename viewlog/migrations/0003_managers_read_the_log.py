"""Managers and Administrators read the view log: "Who has viewed this" on a record's page,
and (administrators, who are staff) the log in the admin, their own organisation's only."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = ["Managers", "Administrators"]


def _permission(apps):
    app_config = apps.get_app_config("viewlog")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.get(content_type__app_label="viewlog", codename="view_recordview")


def grant(apps, schema_editor):
    permission = _permission(apps)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    permission = _permission(apps)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_roles"), ("viewlog", "0002_append_only")]
    operations = [migrations.RunPython(grant, revoke)]
