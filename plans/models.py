"""Action plans: the milestones a council set itself to carry out a recommendation, and the
baseline its committee agreed, so slippage against that baseline is shown honestly.

Each milestone is a deadline (``DeadlineKind.MILESTONE``): its planned date is the deadline's
due date and its owner the deadline's owner, made, moved, closed and reopened only through
``deadlines.services`` (called by ``plans.services``), so milestones are reminded like any
deadline. Every change goes through ``plans.services``; models hold facts about their row.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords


class ActionPlan(models.Model):
    """The action plan of one recommendation, and its baseline once a committee agreed it.

    Baselining freezes each milestone's planned date as its ``baseline_date``; a re-baseline
    replaces them with its reason, the earlier ones kept in both records' history.
    """

    recommendation = models.OneToOneField(
        "recommendations.Recommendation", on_delete=models.CASCADE, related_name="action_plan"
    )
    baselined_at = models.DateTimeField(null=True, blank=True)
    baselined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    agreed_on = models.DateField(
        "date agreed", null=True, blank=True, help_text="The day the committee agreed the plan."
    )
    baseline_note = models.TextField(
        blank=True,
        help_text="Who agreed it, for example 'Agreed by the General Purposes & Audit "
        "Committee on 14 Dec 2021'.",
    )
    baseline_count = models.PositiveSmallIntegerField(
        default=0, help_text="How many times the plan has been baselined."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["recommendation"]
        permissions = [("baseline_actionplan", "Can baseline an action plan")]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    baselined_at__isnull=True,
                    baselined_by__isnull=True,
                    agreed_on__isnull=True,
                    baseline_count=0,
                )
                | Q(
                    baselined_at__isnull=False,
                    baselined_by__isnull=False,
                    agreed_on__isnull=False,
                    baseline_count__gte=1,
                ),
                name="action_plan_baseline_complete",
                violation_error_message="A baseline has a date agreed, who recorded it and when.",
            ),
        ]

    def __str__(self):
        return f"Action plan for {self.recommendation}"

    def get_absolute_url(self):
        return reverse("plans:plan_detail", args=[self.recommendation_id])

    @property
    def is_baselined(self) -> bool:
        return self.baselined_at is not None


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"

    @classmethod
    def open(cls) -> list["MilestoneStatus"]:
        return [cls.PLANNED, cls.IN_PROGRESS]


# The one map of allowed status changes; ``services`` enforces it. Done and dropped
# milestones are reopened (as in progress and planned: ``REOPENED_AS``).
TRANSITIONS: dict[str, frozenset[str]] = {
    MilestoneStatus.PLANNED: frozenset(
        {MilestoneStatus.IN_PROGRESS, MilestoneStatus.DONE, MilestoneStatus.DROPPED}
    ),
    MilestoneStatus.IN_PROGRESS: frozenset(
        {MilestoneStatus.PLANNED, MilestoneStatus.DONE, MilestoneStatus.DROPPED}
    ),
    MilestoneStatus.DONE: frozenset({MilestoneStatus.IN_PROGRESS}),
    MilestoneStatus.DROPPED: frozenset({MilestoneStatus.PLANNED}),
}
REOPENED_AS = {
    MilestoneStatus.DONE: MilestoneStatus.IN_PROGRESS,
    MilestoneStatus.DROPPED: MilestoneStatus.PLANNED,
}


class Milestone(models.Model):
    """A step of an action plan, due on its deadline's date (the planned date).

    ``baseline_date`` is the planned date when the plan was last baselined; blank for a
    milestone added since ("not in the baseline"). ``evidence`` is one of the
    recommendation's own pieces of evidence (a file kept with its SHA-256 or a link), so a
    milestone's proof is also the recommendation's, where the Ombudsman looks for it.
    """

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    deadline = models.OneToOneField(
        "deadlines.Deadline", on_delete=models.PROTECT, related_name="milestone"
    )
    status = models.CharField(
        max_length=20, choices=MilestoneStatus, default=MilestoneStatus.PLANNED
    )
    actual_date = models.DateField("date done", null=True, blank=True)
    baseline_date = models.DateField(null=True, blank=True)
    evidence = models.ForeignKey(
        "recommendations.Evidence",
        on_delete=models.PROTECT,
        related_name="milestones",
        null=True,
        blank=True,
    )
    order = models.PositiveSmallIntegerField(default=1)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="done", actual_date__isnull=False)
                | (~Q(status="done") & Q(actual_date__isnull=True)),
                name="milestone_actual_date_only_when_done",
                violation_error_message="A milestone has a date done exactly when it is done.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=MilestoneStatus.values), name="milestone_status_known"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        plan = reverse("plans:plan_detail", args=[self.plan.recommendation_id])
        return f"{plan}#milestone-{self.pk}"

    @property
    def planned_date(self) -> date:
        return self.deadline.due_date

    @property
    def owner(self):
        return self.deadline.owner

    @property
    def is_open(self) -> bool:
        return self.status in MilestoneStatus.open()

    @property
    def in_baseline(self) -> bool:
        return self.baseline_date is not None

    @property
    def slippage_days(self) -> int | None:
        """Days later than the baseline (negative: earlier): the date done for a milestone
        done, otherwise the planned date. None for one dropped or not in the baseline."""
        if self.baseline_date is None or self.status == MilestoneStatus.DROPPED:
            return None
        compared = self.actual_date if self.status == MilestoneStatus.DONE else self.planned_date
        return (compared - self.baseline_date).days
