"""What the dashboard says about figures and audit programmes, without a database."""

from decimal import Decimal

from audits.models import AuditProgramme, ProgrammeKind
from audits.presentation import decision_explanation
from audits.threshold import threshold_decision
from dashboard.compliance import ComplianceFigures
from dashboard.presentation import (
    clocks_not_shown,
    figures_table,
    headline,
    owners_not_shown,
    programme_rows,
    programmes_not_shown,
)
from dashboard.selectors import (
    Clocks,
    GroupFigures,
    ProgrammeProgress,
    Programmes,
    owners_to_chase,
)
from deadlines.models import ComplianceRate
from ombudsman_tracker.presentation import Tag


def test_the_headline_reads_as_sentences_with_both_rates_the_lgscos_reading_first():
    figures = ComplianceFigures(overdue=1, due_soon=0, on_time=2, late=1)

    assert [
        (f.id, f.value, f.label, f.hint) for f in headline(figures, lead=ComplianceRate.IMPLEMENTED)
    ] == [
        ("open", "1", "open recommendation", ""),
        ("overdue", "1", "overdue", ""),
        ("due-14", "0", "due in the next 14 days", ""),
        ("due-30", "0", "due in the next 30 days", ""),
        ("on-time", "2", "complied on time", ""),
        ("late", "1", "complied late", ""),
        ("rate-implemented", "75%", "implemented, late or not", "3 of 4 due (1 late)"),
        ("rate-on-time", "50%", "implemented on time", "2 of 4 due"),
    ]
    assert headline(figures, lead=ComplianceRate.IMPLEMENTED)[1].emphasis == "overdue"


def test_the_rate_that_leads_comes_first_in_the_headline_and_the_tables():
    figures = ComplianceFigures(on_time=2, late=1, overdue=1)
    groups = [GroupFigures("Croydon Council", figures), GroupFigures("Kent", ComplianceFigures())]

    rates = [f.id for f in headline(figures, lead=ComplianceRate.ON_TIME)][-2:]
    table = figures_table(groups, figures, lead=ComplianceRate.ON_TIME)

    assert rates == ["rate-on-time", "rate-implemented"]
    assert table.rate_labels == ["Implemented on time", "Implemented, late or not"]
    assert [r.rate_percent for r in table.rows[0].rates] == ["50%", "75%"]
    assert [r.rate_percent for r in table.rows[1].rates] == ["", ""]
    assert table.total.label == "All"


def test_with_nothing_due_the_headline_says_there_is_no_rate():
    rates = headline(ComplianceFigures(later=2), lead=ComplianceRate.IMPLEMENTED)[-2:]

    assert [(r.value, r.hint) for r in rates] == [
        ("No rate", "No recommendation is due yet"),
        ("No rate", "No recommendation is due yet"),
    ]


def threshold(sample_size, audited, similar):
    return threshold_decision(
        sample_size=sample_size,
        audited=audited,
        with_similar_issues=similar,
        threshold_percent=Decimal("25.00"),
    )


def test_programme_rows_show_progress_and_only_a_samples_decision():
    sample = AuditProgramme(title="Sample", kind=ProgrammeKind.SAMPLE)
    full = AuditProgramme(title="Full", kind=ProgrammeKind.FULL)
    undrawn = AuditProgramme(title="Not drawn", kind=ProgrammeKind.SAMPLE)

    rows = programme_rows(
        [
            ProgrammeProgress(sample, threshold(50, 20, 13)),
            ProgrammeProgress(full, threshold(80, 10, 4)),
            ProgrammeProgress(undrawn, threshold(0, 0, 0)),
        ]
    )

    assert [(r.progress_label, r.tag) for r in rows] == [
        ("20 of 50 cases audited", Tag("Triggered: a full audit is needed", "red")),
        ("10 of 80 cases audited", None),
        ("No sample drawn yet", None),
    ]
    # The sample's reason is the decision in the words of its programme page and the report.
    assert rows[0].reason == decision_explanation(threshold(50, 20, 13))
    assert rows[1].reason == "A full audit has no threshold: every case is audited."


# --- What a section leaves out --------------------------------------------------------------


def owner(name, **figures) -> GroupFigures:
    return GroupFigures(name, ComplianceFigures(**figures))


def test_owners_with_something_due_are_chased_the_most_overdue_first():
    groups = [
        owner("Ann", later=4),
        owner("Bea", due_month=1),
        owner("Cal", overdue=1, due_soon=3),
        owner("Dee", overdue=2),
        owner("Eve", due_soon=1),
        GroupFigures("Nobody yet", ComplianceFigures(overdue=1, due_soon=3), is_none=True),
    ]

    owners = owners_to_chase(groups, limit=4)

    assert [g.label for g in owners.shown] == ["Dee", "Cal", "Nobody yet", "Eve"]
    assert (owners.due_not_shown, owners.nothing_due) == (1, 1)  # Bea; Ann
    assert [g.label for g in owners_to_chase([owner("Ann", later=4)], chosen=True).shown] == ["Ann"]


def test_the_owners_left_out_are_counted_in_words():
    one_of_each = owners_to_chase(
        [
            owner("Ann", later=1),
            owner("Bea", overdue=1),
            owner("Cal", overdue=2),
            owner("Dee", due_soon=1),
        ],
        limit=2,
    )

    assert owners_not_shown(one_of_each) == [
        "Showing the 2 owners with the most overdue, then the most due soonest, of 3 with a "
        "recommendation overdue or due in the next 30 days: 1 other is not shown.",
        "1 owner with nothing overdue or due in the next 30 days is not shown.",
        "The All row counts every owner's recommendations.",
    ]
    assert owners_not_shown(owners_to_chase([owner("Bea", overdue=1)])) == []


def test_the_clocks_and_audits_left_out_are_counted_in_words():
    assert clocks_not_shown(Clocks(most_urgent=[], open=0, closed=1)) == (
        "Not shown: 1 closed clock (met, not met or withdrawn)."
    )
    assert clocks_not_shown(Clocks(most_urgent=["a", "b"], open=3, closed=0)) == (
        "Showing the 2 open clocks due soonest. Not shown: 1 less urgent open clock."
    )
    assert clocks_not_shown(Clocks(most_urgent=["a clock"], open=1, closed=0)) == ""
    assert programmes_not_shown(Programmes(most_urgent=["a", "b"], open=3, closed=3)) == (
        "Showing the 2 open audits due soonest. Not shown: 1 open audit due later and 3 closed "
        "audits."
    )
    assert programmes_not_shown(Programmes(most_urgent=[], open=0, closed=0)) == ""
