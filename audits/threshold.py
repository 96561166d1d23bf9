"""The full-audit threshold: "if more than 25% of the sample show similar issues".

It is a cut-off, not a significance test. The decision can be certain before every case is
audited: once more than 25% of the sample have similar issues it has triggered whatever the
rest show, and once even all the remaining cases could not take the rate over 25% it cannot
trigger. Exactly 25% does not trigger. Before a sample is drawn there is nothing to decide (an
empty sample is not "not triggered"). Pure functions, no database.
"""

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db import models


class Decision(models.TextChoices):
    NO_SAMPLE = "no_sample", "No sample drawn yet"
    NOT_YET_KNOWN = "not_yet_known", "Not yet known"
    TRIGGERED = "triggered", "Triggered: a full audit is needed"
    CANNOT_TRIGGER = "cannot_trigger", "Cannot trigger"
    NOT_TRIGGERED = "not_triggered", "Not triggered"


def exceeds(count: int, of: int, threshold_percent: Decimal) -> bool:
    """Is ``count`` out of ``of`` strictly more than ``threshold_percent``? Exact arithmetic."""
    return Decimal(count) * 100 > threshold_percent * of


@dataclass(frozen=True)
class ThresholdResult:
    sample_size: int
    audited: int
    with_similar_issues: int
    threshold_percent: Decimal
    decision: Decision

    @property
    def remaining(self) -> int:
        return self.sample_size - self.audited

    @property
    def rate(self) -> Fraction | None:
        """Share of the audited cases with similar issues (context: the rule uses the sample).
        Exact, so that it rounds to a percentage as a person would (``formats.percent``)."""
        return Fraction(self.with_similar_issues, self.audited) if self.audited else None

    @property
    def triggers_full_audit(self) -> bool:
        return self.decision == Decision.TRIGGERED


def threshold_decision(
    *, sample_size: int, audited: int, with_similar_issues: int, threshold_percent: Decimal
) -> ThresholdResult:
    """Decide the threshold rule for a sample, as far as the outcomes so far allow."""
    if not 0 <= with_similar_issues <= audited <= sample_size:
        raise ValueError("Need 0 <= with similar issues <= audited <= sample size.")
    if not sample_size:
        decision = Decision.NO_SAMPLE
    elif exceeds(with_similar_issues, sample_size, threshold_percent):
        decision = Decision.TRIGGERED
    elif audited == sample_size:
        decision = Decision.NOT_TRIGGERED
    elif not exceeds(with_similar_issues + sample_size - audited, sample_size, threshold_percent):
        decision = Decision.CANNOT_TRIGGER
    else:
        decision = Decision.NOT_YET_KNOWN
    return ThresholdResult(sample_size, audited, with_similar_issues, threshold_percent, decision)


def wilson_interval(successes: int, trials: int, z: float = 1.959964) -> tuple[float, float]:
    """The 95% Wilson score interval for a proportion: context beside the rate, not the rule."""
    if trials == 0:
        raise ValueError("No trials: there is no interval.")
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half_width = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half_width), min(1.0, centre + half_width)
