"""The dashboard's reads on recommendations with known answers (see conftest.py)."""

from datetime import date

import pytest

from accounts.roles import Role
from audits import services as audit_services
from audits.selectors import moderation_pair, programme_threshold
from audits.threshold import Decision
from dashboard import selectors
from dashboard.compliance import ComplianceFigures, Quarter
from dashboard.selectors import Filters
from deadlines.buckets import Bucket, bucket_expression, bucket_for
from deadlines.models import ComplianceRate, ComplianceSettings, Deadline, DeadlineKind
from tests.dashboard.conftest import AT, TODAY
from tests.factories import population_imported, user_with_role

pytestmark = pytest.mark.django_db

KNOWN = ComplianceFigures(
    overdue=1, due_soon=1, due_month=1, later=1, on_time=3, late=1, not_complied=1,
    withdrawn=1,
)  # fmt: skip


def figures_for(user, **filters):
    deadlines = selectors.deadlines_filtered(user, Filters(**filters))
    return selectors.compliance_figures(deadlines, today=TODAY)


def test_the_figures_match_the_known_answers(records, regional_manager):
    figures = figures_for(regional_manager)

    assert figures == KNOWN
    assert (figures.open, figures.overdue) == (4, 1)
    assert (figures.due_within_14_days, figures.due_within_30_days) == (1, 2)
    assert (figures.on_time, figures.late, figures.not_complied) == (3, 1, 1)
    assert figures.all_due == 6
    assert figures.rate_percent == "50%"


def test_statutory_clocks_are_not_counted_as_recommendations(records, regional_manager):
    clocks = Deadline.objects.filter(kind__in=DeadlineKind.statutory())
    assert clocks.count() == 4  # Croydon's, for the public interest report, all overdue

    assert figures_for(regional_manager).overdue == 1


def test_a_withdrawn_recommendation_is_left_out_of_the_rate(records, regional_manager):
    figures = figures_for(regional_manager)

    assert figures.withdrawn == 1
    assert figures.all_due == 6  # 10 recommendations, less 1 withdrawn and 3 not yet due


def test_an_extension_agreed_in_writing_makes_compliance_before_the_new_date_on_time(
    records, regional_manager
):
    deadline = records.recommendations[3].deadline

    assert deadline.original_due_date == date(2026, 4, 30)
    assert bucket_for(deadline, today=TODAY) == Bucket.ON_TIME


def test_the_sql_buckets_agree_with_the_models_outcome_for_every_row(records):
    annotated = Deadline.objects.annotate(bucket=bucket_expression(today=TODAY))

    assert {d.pk: d.bucket for d in annotated} == {
        d.pk: bucket_for(d, today=TODAY) for d in Deadline.objects.all()
    }


def test_a_user_of_one_council_sees_only_its_figures(records):
    figures = figures_for(records.manager)  # Croydon: Kent's recommendation 9 is not theirs

    assert (figures.open, figures.later, figures.all_due) == (3, 0, 6)


def test_the_breakdown_per_organisation_service_area_and_owner(records, regional_manager):
    deadlines = selectors.deadlines_filtered(regional_manager, Filters())

    breakdown = selectors.compliance_breakdown(deadlines, today=TODAY)

    assert breakdown.total == KNOWN

    def table(groups):
        return [
            (g.label, g.figures.open, g.figures.all_due, g.figures.rate_percent) for g in groups
        ]

    assert table(breakdown.by_organisation) == [
        ("Croydon Council", 3, 6, "50%"),
        ("Kent County Council", 1, 0, ""),
    ]
    assert table(breakdown.by_service_area) == [
        ("Adult Social Care", 3, 1, "100%"),
        ("Children's Social Care", 1, 5, "40%"),
    ]
    assert table(breakdown.by_owner) == [
        ("Mary Tester", 2, 1, "100%"),
        ("Olu Tester", 1, 5, "40%"),
        ("Nobody yet", 1, 0, ""),
    ]


@pytest.mark.parametrize(
    ("filters", "open_overdue_due_rate"),
    [
        ({"due_from": date(2026, 6, 1), "due_to": date(2026, 6, 30)}, (2, 1, 1, "0%")),
        ({"service_area": "Adult Social Care"}, (3, 0, 1, "100%")),
        ({"organisation": "kent"}, (1, 0, 0, "")),
        ({"owner": "officer"}, (1, 1, 5, "40%")),
    ],
)
def test_the_filters_choose_the_deadlines_counted(
    records, regional_manager, filters, open_overdue_due_rate
):
    if "organisation" in filters:
        filters["organisation"] = records.kent
    if "owner" in filters:
        filters["owner"] = records.officer

    figures = figures_for(regional_manager, **filters)

    assert (figures.open, figures.overdue, figures.all_due, figures.rate_percent) == (
        open_overdue_due_rate
    )


def test_the_quarters_count_each_recommendation_when_it_was_settled(records, regional_manager):
    deadlines = selectors.deadlines_filtered(regional_manager, Filters())

    series = selectors.compliance_by_quarter(deadlines, today=TODAY)

    assert [
        (q.quarter, q.figures.on_time, q.figures.all_due, q.figures.rate_percent)
        for q in series.quarters
    ] == [
        (Quarter(2025, 4), 1, 1, "100%"),  # 1
        (Quarter(2026, 1), 0, 1, "0%"),  # 2, late (due 15 February)
        (Quarter(2026, 2), 2, 4, "50%"),  # 3 and 10 on time, 4 not complied, 5 overdue
    ]
    assert sum((q.figures for q in series.quarters), ComplianceFigures()).all_due == 6


@pytest.mark.parametrize(
    ("today", "filters"),
    [
        (TODAY, {}),
        (TODAY, {"due_from": date(2026, 6, 1), "due_to": date(2026, 6, 30)}),
        # 10 is due in August, but was complied with in June, before the quarter chosen.
        (TODAY, {"due_from": date(2026, 8, 1)}),
        (TODAY, {"owner": "officer"}),
        # Years on, every recommendation is too old to chart one by one (the demo's case).
        (date(2030, 6, 15), {}),
        (date(2030, 6, 15), {"due_to": date(2026, 3, 31)}),
    ],
)
def test_the_quarters_add_up_to_the_figures_above_them(records, regional_manager, today, filters):
    if "owner" in filters:
        filters["owner"] = records.officer
    chosen = Filters(**filters)
    deadlines = selectors.deadlines_filtered(regional_manager, chosen)

    compliance = selectors.compliance_for(regional_manager, deadlines, today=today, filters=chosen)

    figures = compliance.breakdown.total
    assert figures.all_due > 0
    assert compliance.quarters.total == figures.due_part
    assert compliance.quarters.has_figures
    assert figures == selectors.compliance_figures(deadlines, today=today)


def test_years_on_the_quarters_too_old_to_chart_are_counted_in_one_earlier_row(
    records, regional_manager
):
    deadlines = selectors.deadlines_filtered(regional_manager, Filters())

    series = selectors.compliance_by_quarter(deadlines, today=date(2030, 6, 15))

    # Everything was settled by the end of September 2026: three years before 2030's
    # first charted quarter (July to September 2027).
    assert series.quarters[0].quarter == Quarter(2027, 3)
    assert series.earlier.label == "Before Jul\N{EN DASH}Sep 2027"
    assert series.earlier.figures == ComplianceFigures(on_time=3, late=1, not_complied=1, overdue=4)
    assert series.left_out == 4


def test_the_rate_that_leads_is_the_chosen_organisations_or_else_the_users_own(
    records, regional_manager
):
    ComplianceSettings.objects.create(organisation=records.kent, lead_rate=ComplianceRate.ON_TIME)
    nowhere = user_with_role(Role.MANAGER, username="nowhere", sees_all_organisations=True)
    nowhere.organisation = None

    assert selectors.compliance_lead(regional_manager, Filters()) == ComplianceRate.IMPLEMENTED
    assert (
        selectors.compliance_lead(regional_manager, Filters(organisation=records.kent))
        == ComplianceRate.ON_TIME
    )
    assert selectors.compliance_lead(nowhere, Filters()) == ComplianceRate.IMPLEMENTED


def test_the_timeline_counts_open_deadlines_of_every_kind_by_week(records, regional_manager):
    programme = audit_services.programme_create(
        recommendation=records.recommendations[7],
        title="Audit of 50 cases",
        owner=records.manager,
        due_date=date(2026, 7, 1),
        by=records.manager,
        closed_from=date(2018, 1, 1),
        closed_to=date(2021, 11, 26),
    )
    deadlines = selectors.deadlines_filtered(regional_manager, Filters())

    weeks = selectors.deadline_timeline(deadlines, today=TODAY)

    assert programme.deadline.due_date == date(2026, 7, 1)
    assert [(w.label, w.counts) for w in weeks if w.total] == [
        ("22 to 28 Jun", {"recommendation": 1, "statutory": 0, "other": 0}),  # 7
        ("29 Jun to 5 Jul", {"recommendation": 0, "statutory": 0, "other": 1}),  # the audit
        ("6 to 12 Jul", {"recommendation": 1, "statutory": 0, "other": 0}),  # 8
        ("31 Aug to 6 Sep", {"recommendation": 1, "statutory": 0, "other": 0}),  # 9
    ]


def test_the_deadline_list_is_most_urgent_first_with_statutory_clocks_apart(
    records, regional_manager
):
    deadlines = selectors.deadlines_filtered(regional_manager, Filters())
    r = {n: rec.deadline.pk for n, rec in records.recommendations.items()}

    listed = [d.pk for d in selectors.deadlines_by_urgency(deadlines)]
    clocks = list(selectors.clocks_by_urgency(deadlines))

    # Open by due date (overdue, due soon, on track); then closed, latest closed first.
    assert listed == [r[5], r[7], r[8], r[9], r[10], r[3], r[4], r[2], r[1], r[6]]
    assert {c.kind for c in clocks} == set(DeadlineKind.statutory())
    assert [c.due_date for c in clocks] == sorted(c.due_date for c in clocks)


def test_the_deadline_list_a_page_at_a_time_keeps_its_order_and_what_each_row_shows(
    records, regional_manager, django_assert_num_queries
):
    ordered = selectors.deadlines_by_urgency(
        selectors.deadlines_filtered(regional_manager, Filters())
    )

    pages = [
        selectors.page_by_urgency(ordered, number=n, per_page=4, holders=True) for n in (1, 2, 3)
    ]

    assert [d.pk for page in pages for d in page] == [d.pk for d in ordered]
    assert pages[2].paginator.count == 10
    with django_assert_num_queries(0):
        [(d.get_absolute_url(), str(d.owner), str(d.organisation)) for d in pages[0]]


# --- Audit programmes -----------------------------------------------------------------------


@pytest.fixture
def programmes(records):
    """Two drawn samples of four Croydon cases, audited in part; one moderated and settled."""
    manager = records.manager
    population_imported(organisation=records.croydon, count=8, by=manager)
    auditors = [
        user_with_role(
            Role.AUDITOR, username=f"auditor{n}", organisation=records.croydon, team="QA"
        )
        for n in (1, 2)
    ]
    made = []
    for title, similar in [("First", [True, True]), ("Second", [True, False, False])]:
        programme = audit_services.programme_create(
            recommendation=records.recommendations[1],
            title=title,
            owner=manager,
            due_date=date(2026, 7, 1),
            by=manager,
            closed_from=date(2018, 1, 1),
            closed_to=date(2021, 11, 26),
            target_sample_size=4,
            threshold_percent=25,
            moderation_percent=25,
            # A second audit of one recommendation says why (audits.services).
            another_audit_reason="Set up again with the right criteria" if made else "",
        )
        audit_services.sample_draw(programme=programme, by=manager, at=AT, seed=title)
        for auditor in auditors:
            audit_services.auditor_add(programme=programme, auditor=auditor, by=manager)
        audit_services.auditors_assign(programme=programme, by=manager)
        for sample_case, answer in zip(programme.sample_cases.all(), similar, strict=False):
            audit_services.outcome_save(
                sample_case=sample_case,
                auditor=sample_case.auditor,
                answers={"grade": "good", "similar_issues": answer},
                version=None,
                submit=True,
                at=AT,
            )
        made.append(programme)
    # The first programme's first case is moderated (25% of 4): once its moderator has
    # submitted, a manager settles it: no similar issues after all.
    settled = made[0].sample_cases.first()
    audit_services.outcome_save(
        sample_case=settled,
        auditor=settled.moderator,
        answers={"grade": "good", "similar_issues": False},
        version=None,
        submit=True,
        at=AT,
    )
    audit_services.moderation_settle(
        sample_case=settled,
        similar_issues=False,
        grade="good",
        seen=moderation_pair(settled).seen,
        by=manager,
    )
    # A draft is not counted.
    draft_case = made[1].sample_cases.all()[3]
    audit_services.outcome_save(
        sample_case=draft_case,
        auditor=draft_case.auditor,
        answers={"similar_issues": True},
        version=None,
        submit=False,
        at=AT,
    )
    return made


def test_programme_progress_agrees_with_programme_threshold(records, programmes):
    progress = selectors.programmes_most_urgent(records.manager, Filters()).most_urgent

    assert [p.threshold for p in progress] == [programme_threshold(p) for p in programmes]
    first, second = (p.threshold for p in progress)
    assert (first.sample_size, first.audited, first.with_similar_issues) == (4, 2, 1)
    assert first.decision == Decision.NOT_YET_KNOWN
    assert (second.audited, second.with_similar_issues, second.decision) == (
        3,
        1,
        Decision.NOT_YET_KNOWN,
    )


def test_programme_progress_follows_the_filters(records, programmes):
    kent_only = Filters(organisation=records.kent)
    later = Filters(due_from=date(2026, 8, 1))

    def shown(filters):
        return selectors.programmes_most_urgent(records.manager, filters).most_urgent

    assert shown(kent_only) == []
    assert shown(later) == []
    assert len(shown(Filters(owner=records.manager))) == 2
