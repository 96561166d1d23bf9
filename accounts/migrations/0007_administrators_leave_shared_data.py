"""Administrators manage their own council: adding organisations and changing the ombudsmen
or the statutory clock rules every council shares is a superuser's (the admin enforces it
whatever the permissions say)."""

from django.db import migrations

REVOKED = [
    ("organisations", "add_organisation"),
    ("recommendations", "add_ombudsman"),
    ("recommendations", "change_ombudsman"),
    ("recommendations", "change_statutoryclockrule"),
]


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    for app_label, codename in REVOKED:
        yield from Permission.objects.filter(content_type__app_label=app_label, codename=codename)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Administrators"):
        group.permissions.remove(*_permissions(apps))


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Administrators"):
        group.permissions.add(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_history_reasons_as_text"),
        ("organisations", "0001_initial"),
        ("recommendations", "0002_ombudsmen_and_clock_rules"),
    ]
    operations = [migrations.RunPython(revoke, grant)]
