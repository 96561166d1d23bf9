"""What each role may do with the Ombudsman's verdicts (least privilege).

Officers and managers record the Ombudsman's reply: they send the evidence and hold the
recommendations. Every role reads the verdicts and their letters: a letter says only whether
the Ombudsman is satisfied with what every role already reads on the recommendation's page.
Administrators read them in the administration site, which shows them read only.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ = ["verdicts.view_verdict", "verdicts.view_awaitedreply"]
RECORD = [*READ, "verdicts.add_verdict"]
ROLES = {
    "Officers": RECORD,
    "Managers": RECORD,
    "Committee clerks": READ,
    "Viewers": READ,
    "Auditors": READ,
    "Administrators": READ,
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
    ours = Permission.objects.filter(content_type__app_label="verdicts")
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*ours)


class Migration(migrations.Migration):
    dependencies = [
        ("verdicts", "0001_awaited_replies_and_verdicts"),
        ("accounts", "0007_administrators_leave_shared_data"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
