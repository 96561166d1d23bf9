"""The role groups and what each may do (least privilege: viewers only read)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ = [
    "organisations.view_organisation",
    "recommendations.view_ombudsman",
    "recommendations.view_complaint",
    "recommendations.view_recommendation",
    "recommendations.view_deadline",
    "recommendations.view_evidence",
    "recommendations.view_extension",
]
OFFICER = [
    *READ,
    "recommendations.add_complaint",
    "recommendations.change_complaint",
    "recommendations.add_recommendation",
    "recommendations.change_recommendation",
    "recommendations.change_recommendation_status",
    "recommendations.add_evidence",
    "recommendations.request_extension",
    "recommendations.export_tracker",
]
MANAGER = [
    *OFFICER,
    "recommendations.decide_extension",
    "recommendations.change_deadline",
    "recommendations.import_tracker",
]
ROLES = {
    "Viewers": READ,
    "Officers": OFFICER,
    "Auditors": READ,
    "Committee clerks": [*READ, "recommendations.export_tracker"],
    "Managers": MANAGER,
    "Administrators": [
        *MANAGER,
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "organisations.add_organisation",
        "organisations.change_organisation",
        "recommendations.add_ombudsman",
        "recommendations.change_ombudsman",
        "recommendations.view_statutoryclockrule",
        "recommendations.change_statutoryclockrule",
    ],
}


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; the roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        for name in names:
            app_label, codename = name.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("organisations", "0001_initial"),
        ("recommendations", "0002_ombudsmen_and_clock_rules"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
