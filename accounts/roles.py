"""The roles staff hold, as Django groups. Permissions are granted by migrations."""

from django.db import models


class Role(models.TextChoices):
    OFFICER = "Officers"
    AUDITOR = "Auditors"
    COMMITTEE_CLERK = "Committee clerks"
    MANAGER = "Managers"
    ADMINISTRATOR = "Administrators"
    VIEWER = "Viewers"
