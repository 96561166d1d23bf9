"""What each role may do with action plans.

Everyone who reads recommendations reads their plans. Officers, managers and administrators
change plans (add, change, complete, drop and reopen milestones), as they change
recommendations. Baselining records that a committee agreed the plan: managers and committee
clerks, who record committee business in the distribution ledger, may; administrators, who
run the council's set-up rather than its committee business, may not (as with reports).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ = ["plans.view_actionplan", "plans.view_milestone"]
CHANGE = [*READ, "plans.add_milestone", "plans.change_milestone"]
ROLES = {
    "Viewers": READ,
    "Auditors": READ,
    "Committee clerks": [*READ, "plans.baseline_actionplan"],
    "Officers": CHANGE,
    "Managers": [*CHANGE, "plans.baseline_actionplan"],
    "Administrators": CHANGE,
}


def _permissions(apps, names):
    Permission = apps.get_model("auth", "Permission")
    for name in names:
        app_label, codename = name.split(".")
        yield Permission.objects.get(content_type__app_label=app_label, codename=codename)


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; the roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for role, names in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*_permissions(apps, names))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role, names in ROLES.items():
        for group in Group.objects.filter(name=role):
            group.permissions.remove(*_permissions(apps, names))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_roles"),
        ("plans", "0001_action_plans_and_milestones"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
