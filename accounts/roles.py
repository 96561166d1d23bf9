"""The roles staff hold, as Django groups. Permissions are granted by migrations."""

from django.db import models


class Role(models.TextChoices):
    OFFICER = "Officers"
    AUDITOR = "Auditors"
    COMMITTEE_CLERK = "Committee clerks"
    MANAGER = "Managers"
    ADMINISTRATOR = "Administrators"
    VIEWER = "Viewers"


def user_has_role(user, role: Role) -> bool:
    return user.groups.filter(name=role).exists()
