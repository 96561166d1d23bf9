from django.contrib.auth.models import AbstractUser
from django.db import models
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    """A member of staff. What they may do comes from their groups (see ``accounts.roles``)."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="staff",
        null=True,
        blank=True,
        help_text="Staff see only the complaints that bind their own organisation.",
    )
    team = models.CharField(
        max_length=200,
        blank=True,
        help_text="Used so that nobody audits their own team's cases.",
    )
    job_title = models.CharField(max_length=200, blank=True)
    sees_all_organisations = models.BooleanField(
        default=False,
        help_text="For managers working across organisations: sees every complaint.",
    )
    reminder_digest = models.BooleanField(
        "one email a day",
        default=False,
        help_text="Receive reminders as one daily digest instead of one email each.",
    )
    calendar_token = models.CharField(
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text="The secret in the user's calendar feed address.",
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login", "calendar_token"])

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def sees_every_organisation(self) -> bool:
        """Superusers, and staff working across organisations, see every council's records."""
        return self.is_superuser or self.sees_all_organisations

    def acts_for(self, organisation) -> bool:
        """Whether the user's access covers ``organisation``: their own, or every one."""
        return self.sees_every_organisation or (
            organisation is not None and self.organisation_id == organisation.pk
        )
