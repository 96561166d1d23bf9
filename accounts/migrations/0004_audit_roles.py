"""What each role may do in the case audit."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AUDIT_READ = [
    "audits.view_auditprogramme",
    "audits.view_samplecase",
    "audits.view_auditoutcome",
    "audits.view_liveconcern",
    "organisations.view_team",
]
ROLES = {
    "Viewers": AUDIT_READ,
    "Committee clerks": AUDIT_READ,
    "Officers": [*AUDIT_READ, "audits.record_audit_outcome"],
    "Auditors": [*AUDIT_READ, "audits.record_audit_outcome"],
    "Managers": [
        *AUDIT_READ,
        "audits.record_audit_outcome",
        "audits.manage_audit",
        "audits.import_population",
        "audits.view_populationcase",
    ],
    "Administrators": [
        *AUDIT_READ,
        "audits.manage_audit",
        "audits.import_population",
        "audits.view_populationcase",
        "organisations.add_team",
        "organisations.change_team",
    ],
}


def grant(apps, schema_editor):
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
        ("audits", "0001_initial"),
        ("organisations", "0002_teams"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
