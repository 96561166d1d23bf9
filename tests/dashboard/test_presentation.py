"""What the dashboard says about figures and audit programmes, without a database."""

from decimal import Decimal

from audits.models import AuditProgramme, ProgrammeKind
from audits.presentation import decision_explanation
from audits.threshold import threshold_decision
from dashboard.compliance import ComplianceFigures
from dashboard.presentation import headline, programme_rows
from dashboard.selectors import ProgrammeProgress
from ombudsman_tracker.presentation import Tag


def test_the_headline_reads_as_sentences():
    figures = ComplianceFigures(overdue=1, due_soon=0, on_time=2, late=1)

    assert [(f.value, f.label, f.hint) for f in headline(figures)] == [
        ("1", "open recommendation", ""),
        ("1", "overdue", ""),
        ("0", "due in the next 14 days", ""),
        ("0", "due in the next 30 days", ""),
        ("2", "complied on time", ""),
        ("1", "complied late", ""),
        ("50%", "compliance rate", "2 on time of 4 due"),
    ]
    assert headline(figures)[1].emphasis == "overdue"


def test_with_nothing_due_the_headline_says_there_is_no_rate():
    rate = headline(ComplianceFigures(later=2))[-1]

    assert (rate.value, rate.hint) == ("No rate", "No recommendation is due yet")


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
