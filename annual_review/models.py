"""The Ombudsman's annual review letter: the figures the LGSCO states for one council and one
financial year (April to March), typed in or imported, kept with their history.

The app computes the same figures from its own records (``annual_review.reconciliation``) and
shows both side by side, so the council can put its records right before the letter goes to
committee. Letters change only through ``annual_review.services``.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ombudsman_tracker.financial_years import FinancialYear

# The figures a letter states, in the order pages, imports and reconciliations list them.
FIGURES = (
    "decisions",
    "upheld",
    "compliance_rate",
    "compliance_outcomes",
    "satisfactory_remedies",
)


class LetterSource(models.TextChoices):
    TYPED = "typed", "Typed in"
    IMPORTED = "imported", "Imported from a file"


class AnnualLetter(models.Model):
    """What the LGSCO's annual review letter states for ``organisation`` in the financial
    year beginning 1 April of ``year``."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="annual_letters"
    )
    year = models.PositiveSmallIntegerField(
        "financial year",
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text="The year it begins in: 2021 for 2021-22 (1 April 2021 to 31 March 2022).",
    )
    decisions = models.PositiveIntegerField(
        "decisions",
        help_text="Complaints the Ombudsman decided in the year (investigated or not).",
    )
    upheld = models.PositiveIntegerField(
        "upheld", help_text="Of those decisions, how many the Ombudsman upheld (found fault)."
    )
    compliance_rate = models.DecimalField(
        "compliance rate (%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="As the letter states it, for example 98 or 97.5. Blank if it gives none.",
    )
    compliance_outcomes = models.PositiveIntegerField(
        "compliance outcomes",
        null=True,
        blank=True,
        help_text='How many compliance outcomes the rate is of ("98% of 45"), if stated.',
    )
    satisfactory_remedies = models.PositiveIntegerField(
        "satisfactory remedies provided by the council",
        help_text="Upheld cases where the council had already put things right before the "
        "Ombudsman became involved.",
    )
    source = models.CharField(max_length=10, choices=LetterSource, default=LetterSource.TYPED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"],
                name="one_annual_letter_per_organisation_and_year",
                violation_error_message="This council already has a letter for that year.",
            ),
            models.CheckConstraint(
                condition=Q(upheld__lte=F("decisions")),
                name="annual_letter_upheld_within_decisions",
                violation_error_message="Upheld cannot be more than the decisions.",
            ),
            models.CheckConstraint(
                condition=Q(satisfactory_remedies__lte=F("upheld")),
                name="annual_letter_remedies_within_upheld",
                violation_error_message=(
                    "Satisfactory remedies cannot be more than the upheld decisions."
                ),
            ),
            models.CheckConstraint(
                condition=Q(compliance_rate__isnull=True)
                | (Q(compliance_rate__gte=0) & Q(compliance_rate__lte=100)),
                name="annual_letter_rate_is_a_percentage",
                violation_error_message="The compliance rate is a percentage, 0 to 100.",
            ),
        ]

    def __str__(self):
        return f"Annual review letter {self.financial_year.label}: {self.organisation}"

    def get_absolute_url(self):
        return reverse("annual_review:letter_detail", args=[self.pk])

    @property
    def financial_year(self) -> FinancialYear:
        return FinancialYear.starting(self.year)

    @property
    def compliance_rate_text(self) -> str:
        """``98%``, ``97.5%`` (as stated, without trailing zeros); '' if none is stated."""
        if self.compliance_rate is None:
            return ""
        return f"{self.compliance_rate.normalize():f}%"
