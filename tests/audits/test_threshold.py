"""The "more than 25%" rule, including the states that are certain before the audit ends."""

from decimal import Decimal

import pytest

from audits.threshold import Decision, threshold_decision, wilson_interval

QUARTER = Decimal(25)


@pytest.mark.parametrize(
    ("sample_size", "audited", "with_issues", "decision"),
    [
        (50, 50, 12, Decision.NOT_TRIGGERED),  # 24%
        (50, 50, 13, Decision.TRIGGERED),  # 26%
        (48, 48, 12, Decision.NOT_TRIGGERED),  # exactly 25% does not trigger
        (48, 48, 13, Decision.TRIGGERED),  # 27%
        (50, 20, 13, Decision.TRIGGERED),  # certain with 30 still to audit
        (50, 38, 0, Decision.CANNOT_TRIGGER),  # even 12 more would be 24%
        (50, 37, 0, Decision.NOT_YET_KNOWN),  # 13 more would be 26%
        (50, 20, 12, Decision.NOT_YET_KNOWN),
        (50, 0, 0, Decision.NOT_YET_KNOWN),
        (4, 4, 1, Decision.NOT_TRIGGERED),  # 1 of 4 is exactly 25%
        (4, 2, 2, Decision.TRIGGERED),
    ],
)
def test_threshold_decision(sample_size, audited, with_issues, decision):
    result = threshold_decision(
        sample_size=sample_size,
        audited=audited,
        with_similar_issues=with_issues,
        threshold_percent=QUARTER,
    )
    assert result.decision == decision


def test_threshold_not_triggered_at_exactly_25_percent_of_an_achieved_sample_of_48():
    result = threshold_decision(
        sample_size=48, audited=48, with_similar_issues=12, threshold_percent=QUARTER
    )
    assert (result.decision, result.rate, result.triggers_full_audit) == (
        Decision.NOT_TRIGGERED,
        0.25,
        False,
    )


def test_the_threshold_is_data_not_a_constant():
    result = threshold_decision(
        sample_size=50, audited=50, with_similar_issues=6, threshold_percent=Decimal(10)
    )
    assert result.decision == Decision.TRIGGERED


def test_impossible_counts_are_refused():
    with pytest.raises(ValueError, match="audited"):
        threshold_decision(
            sample_size=50, audited=51, with_similar_issues=0, threshold_percent=QUARTER
        )


def test_wilson_interval_for_13_of_50_is_about_16_to_40_percent():
    low, high = wilson_interval(13, 50)
    assert (round(low * 100, 1), round(high * 100, 1)) == (15.9, 39.6)


def test_wilson_interval_stays_within_0_and_1():
    assert wilson_interval(0, 10)[0] == pytest.approx(0.0, abs=1e-12)
    assert wilson_interval(10, 10)[1] == pytest.approx(1.0, abs=1e-12)
    assert round(wilson_interval(10, 10)[0] * 100, 1) == 72.2
