from django.db import models
from simple_history.models import HistoricalRecords


class OrganisationKind(models.TextChoices):
    COUNCIL = "council", "Council"
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    SCHOOL = "school", "School or education"
    OTHER = "other", "Other agency"


class Organisation(models.Model):
    """A council or a partner agency: complaints bind councils, staff belong to one."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(
        max_length=20, choices=OrganisationKind, default=OrganisationKind.COUNCIL
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Team(models.Model):
    """A team within an organisation, with the manager who receives live concerns."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=200)
    manager_name = models.CharField(max_length=200)
    manager_email = models.EmailField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="team_name_unique")
        ]

    def __str__(self):
        return f"{self.name} ({self.organisation})"
