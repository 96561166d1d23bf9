"""What each role may do in the learning programme.

Officers and managers run it: learning points, audiences and their people, sessions and
follow-up checks, and emailing the personal links. Only managers see who has and has not
acknowledged, by name, and send reminders to those outstanding (need-to-know: the lists of
named staff are theirs). Viewers, auditors and committee clerks read the learning itself and
the coverage figures (a percentage names nobody): the clerks report them to committee,
auditors check in a re-audit whether the learning stuck, and anyone on the audience lists
acknowledges in the app. Administrators read the records in the administration site, but not
the people or their acknowledgements: they manage the app's users, not the learning's
audiences.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ = [
    "learning.view_learningpoint",
    "learning.view_learningpointversion",
    "learning.view_learningattachment",
]
RUN = [
    *READ,
    "learning.add_learningpoint",
    "learning.change_learningpoint",
    "learning.add_learningattachment",
    "learning.view_audience",
    "learning.add_audience",
    "learning.change_audience",
    "learning.view_person",
    "learning.add_person",
    "learning.change_person",
    "learning.view_deliverysession",
    "learning.add_deliverysession",
    "learning.change_deliverysession",
    "learning.view_followupcheck",
    "learning.add_followupcheck",
    "learning.change_followupcheck",
    "learning.send_learning_links",
]
ROLES = {
    "Viewers": READ,
    "Auditors": READ,
    "Committee clerks": READ,
    "Officers": RUN,
    "Managers": [
        *RUN,
        "learning.see_coverage",
        "learning.send_learning_reminders",
        "learning.view_acknowledgement",
    ],
    "Administrators": [
        *READ,
        "learning.view_audience",
        "learning.view_deliverysession",
        "learning.view_followupcheck",
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
        ("accounts", "0004_audit_roles"),
        ("learning", "0001_initial"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
