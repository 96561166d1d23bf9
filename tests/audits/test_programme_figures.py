"""Users' stories: an audit's page counts its figures in the database, however many cases it has.

The programme page and the lists count what ``findings_summary`` and ``programme_threshold``
count (a manager's settled answer replacing the auditor's), without reading every outcome. The
page quotes the first written findings and learning, says how many there are, and links to a
page that lists them all, 25 cases a page, for those who may read them.
"""

import html
import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from audits import services
from audits.models import AuditOutcome
from audits.selectors import (
    findings_summary,
    moderation_pair,
    programme_figures,
    programme_rows,
    programme_threshold,
    recommendation_programmes,
)
from organisations.models import Organisation
from tests.factories import (
    population_imported,
    programme_set_up,
    recommendation_recorded,
    user_with_role,
)

pytestmark = pytest.mark.django_db

AT = datetime(2022, 2, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def croydon(db):
    return Organisation.objects.get_or_create(name="Croydon Council")[0]


@pytest.fixture
def manager(croydon):
    return user_with_role(Role.MANAGER, username="manager", organisation=croydon)


@pytest.fixture
def auditors(croydon):
    return [
        user_with_role(
            Role.AUDITOR, username=f"auditor{n}", organisation=croydon, team="Quality Assurance"
        )
        for n in (1, 2)
    ]


@pytest.fixture
def population(croydon, manager):
    return population_imported(organisation=croydon, count=40, by=manager)


def drawn(manager, auditors, *, size):
    programme = programme_set_up(
        recommendation=recommendation_recorded(by=manager, kind="audit"),
        by=manager,
        target_sample_size=size,
        moderation_percent=0,
    )
    services.sample_draw(programme=programme, by=manager, at=AT, seed="5eed")
    for auditor in auditors:
        services.auditor_add(programme=programme, auditor=auditor, by=manager)
    services.auditors_assign(programme=programme, by=manager)
    return programme


def submit(sample_case, *, by=None, **answers):
    return services.outcome_save(
        sample_case=sample_case,
        auditor=by or sample_case.auditor,
        answers={"grade": "good", "similar_issues": False} | answers,
        version=None,
        submit=True,
        at=AT,
    )


def page_text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def audited(manager, auditors, population):
    """Eight cases: six submitted with varied answers, one in draft, one not started; the
    first moderated, disagreed on and settled by a manager."""
    programme = drawn(manager, auditors, size=8)
    cases = list(programme.sample_cases.order_by("position"))
    answers = [
        {"similar_issues": True, "grade": "inadequate", "agencies_involved": ["police"]},
        {"similar_issues": True, "grade": "requires_improvement", "findings": "No strategy"},
        {"grade": "good", "agencies_involved": ["police", "health"], "findings": "  \n "},
        {"grade": "outstanding", "learning": "Ask the other council", "findings": "Fine"},
        {"similar_issues": True, "grade": "inadequate", "strategy_discussion_held": "no"},
        {"strategy_discussion_held": "yes"},
    ]
    days = [8, 1, None, 5, None, 3]
    for sample_case, answer, day in zip(cases, answers, days, strict=False):
        submit(sample_case, days_to_strategy_discussion=day, **answer)
    services.outcome_save(
        sample_case=cases[6],
        auditor=cases[6].auditor,
        answers={"grade": "good"},
        version=None,
        submit=False,
        at=AT,
    )
    first = cases[0]
    first.moderator = next(a for a in auditors if a.pk != first.auditor_id)
    first.save(update_fields=["moderator"])
    submit(first, by=first.moderator, similar_issues=False, grade="good")
    services.moderation_settle(
        sample_case=first,
        similar_issues=False,
        grade="requires_improvement",
        seen=moderation_pair(first).seen,
        by=manager,
    )
    return programme


def test_the_figures_counted_in_sql_agree_with_the_findings_summary(audited):
    summary = findings_summary(audited)

    figures = programme_figures(audited, sample_size=8, written=1)

    assert figures.findings.threshold == summary.threshold == programme_threshold(audited)
    assert (summary.threshold.audited, summary.threshold.with_similar_issues) == (6, 2)
    assert figures.findings.grades == summary.grades
    assert summary.grades["requires_improvement"] == 2  # the settled answer counts
    assert figures.findings.answers == summary.answers
    assert figures.findings.agencies == summary.agencies == {"police": 2, "health": 1}
    # Four known days (1, 3, 5, 8): the median is halfway between the middle two.
    assert figures.findings.median_days_to_strategy_discussion == 4.0
    assert summary.median_days_to_strategy_discussion == 4.0
    assert (figures.findings_count, figures.learning_count) == (2, 1)  # blank is not written
    assert len(summary.findings) == 2
    assert figures.findings.findings == ["No strategy"]  # the first, in draw order
    assert figures.findings.learning == ["Ask the other council"]
    assert figures.audit_statuses == {"draft": 1, "submitted": 6}


def test_the_lists_count_the_same_threshold_as_the_programme_page(audited, manager):
    (row,) = programme_rows([audited.pk])
    (other,) = recommendation_programmes(manager, audited.recommendation)

    assert row.threshold == other.threshold == programme_threshold(audited)
    assert recommendation_programmes(manager, audited.recommendation, excluding=[audited.pk]) == []


def test_an_audit_page_builds_the_outcomes_of_its_shown_cases_alone(
    client, manager, auditors, population
):
    programme = drawn(manager, auditors, size=30)
    for sample_case in programme.sample_cases.all():
        submit(sample_case, findings=f"Finding on case {sample_case.position}")
    client.force_login(manager)
    built = []

    def count(sender, instance, **kwargs):
        built.append(instance)

    post_init.connect(count, sender=AuditOutcome)
    try:
        response = client.get(programme.get_absolute_url())
    finally:
        post_init.disconnect(count, sender=AuditOutcome)

    assert response.status_code == 200
    assert "Cases sampled 30 Cases audited 30" in page_text(response)
    assert len(built) == 25  # the first page's cases: the figures are counted in SQL


def test_the_programme_page_quotes_the_first_findings_and_links_to_them_all(
    client, manager, auditors, population
):
    programme = drawn(manager, auditors, size=30)
    for sample_case in programme.sample_cases.order_by("position"):
        submit(
            sample_case,
            findings=f"Finding on case {sample_case.position}",
            learning=f"Learning {sample_case.position}" if sample_case.position <= 12 else "",
        )
    client.force_login(manager)

    page = client.get(programme.get_absolute_url())
    findings_url = reverse("audits:programme_findings", args=[programme.pk])
    first = client.get(findings_url)
    second = client.get(findings_url, {"page": 2})

    text = page_text(page)
    assert "Finding on case 10 " in text
    assert "Finding on case 11 " not in text
    assert (
        "Showing the first 10 written findings of 30 and the first 10 learning points of 12, "
        "in draw order."
    ) in text
    assert f'href="{findings_url}"' in page.content.decode()
    assert "30 cases with written findings or learning" in page_text(first)
    assert "Showing 1 to 25 of 30 cases." in page_text(first)
    assert "Finding on case 25 " in page_text(first)
    assert "Finding on case 26 " in page_text(second)
    assert "Learning 12" in page_text(first)
    # 25 cases with a line each are about 20 KB.
    assert len(first.content) < 35_000


def test_a_page_quoting_every_finding_has_no_link_to_more(client, manager, auditors, population):
    programme = drawn(manager, auditors, size=5)
    for sample_case in programme.sample_cases.all():
        submit(sample_case, findings="Something")
    client.force_login(manager)

    page = client.get(programme.get_absolute_url())

    assert 'id="written-shown"' not in page.content.decode()


def test_the_findings_page_costs_the_same_for_5_cases_or_30(client, manager, auditors, population):
    few, many = drawn(manager, auditors, size=5), drawn(manager, auditors, size=30)
    for programme in (few, many):
        for sample_case in programme.sample_cases.all():
            submit(sample_case, findings="Something found", learning="Something learnt")
    client.force_login(manager)
    client.get(reverse("audits:programme_findings", args=[few.pk]))

    counts = []
    for programme in (few, many):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("audits:programme_findings", args=[programme.pk]))
        assert response.status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_the_findings_page_shows_nothing_written_to_those_the_programme_page_hides_it_from(
    client, manager, auditors, population
):
    programme = drawn(manager, auditors, size=4)
    first = programme.sample_cases.order_by("position").first()
    submit(first, findings="Seen only by those who run the audit")
    url = reverse("audits:programme_findings", args=[programme.pk])

    client.force_login(first.auditor)
    auditors_view = client.get(url)
    # A manager moderating a case whose audit alone is submitted waits, as on the audit's page.
    first.moderator = manager
    first.save(update_fields=["moderator"])
    client.force_login(manager)
    moderators_view = client.get(url)

    assert "Seen only" not in page_text(auditors_view)
    assert "shown to those who run the audit" in page_text(auditors_view)
    assert "Seen only" not in page_text(moderators_view)
    assert "until you submit your moderation" in page_text(moderators_view)
