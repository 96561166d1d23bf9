"""What each role may do with evidence submissions to the Ombudsman.

Officers and managers prepare and send them: they hold the recommendations and their evidence.
Committee clerks, viewers and auditors read the sent ones: a sent submission holds only what they
already read (the recommendations, their evidence, the distribution ledger), and clerks report
on it to committees. Administrators read the sent ones in the administration site, which shows
them read only. Drafts are need-to-know: only those who prepare submissions see them, as their
evidence is not yet confirmed redacted (``submissions.selectors``).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ = ["submissions.view_submission"]
PREPARE = [*READ, "submissions.prepare_submission", "submissions.send_submission"]
ROLES = {
    "Officers": PREPARE,
    "Managers": PREPARE,
    "Committee clerks": READ,
    "Viewers": READ,
    "Auditors": READ,
    "Administrators": READ,
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
        ("submissions", "0001_evidence_submissions"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
