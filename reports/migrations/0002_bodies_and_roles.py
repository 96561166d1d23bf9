"""The bodies every organisation reports to, and what each role may do with reports.

Bodies are data: administrators add an organisation's own committees, rename these or mark
them no longer in use in the administration site.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# name, kind. Shared (no organisation): every council may report to them.
BODIES = [
    ("Full Council", "council"),
    ("Cabinet", "cabinet"),
    ("General Purposes & Audit Committee", "committee"),
    ("Improvement Board", "board"),
    ("Safeguarding Partnership", "partnership"),
    ("Local Government and Social Care Ombudsman", "ombudsman"),
]

READ = [
    "reports.view_body",
    "reports.view_committeereport",
    "reports.view_distributionentry",
]
PREPARE = [
    *READ,
    "reports.generate_report",
    "reports.issue_report",
    "reports.add_distributionentry",
]
ROLES = {
    "Viewers": READ,
    "Officers": READ,
    "Auditors": READ,
    "Committee clerks": PREPARE,
    "Managers": PREPARE,
    "Administrators": [*READ, "reports.add_body", "reports.change_body"],
}


def seed(apps, schema_editor):
    Body = apps.get_model("reports", "Body")
    for name, kind in BODIES:
        Body.objects.get_or_create(organisation=None, name=name, defaults={"kind": kind})

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLES.items():
        group = Group.objects.get(name=role)
        for name in names:
            app_label, codename = name.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_roles"),
        ("reports", "0001_initial"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
