"""The threshold decision in words: one sentence, said the same on the programme page, the
dashboard, the committee report and the email that tells managers a full audit is needed."""

import html
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from accounts.roles import Role
from audits import services
from audits.presentation import decision_explanation
from audits.selectors import programme_threshold
from audits.threshold import threshold_decision
from organisations.models import Organisation
from reports.document import report_document
from reports.models import Body
from reports.services import report_draft_create
from tests.audits.test_views import AT, assigned_programme, submit
from tests.factories import (
    population_imported,
    programme_set_up,
    recommendation_recorded,
    user_with_role,
)


def decision(sample_size, audited, similar):
    return decision_explanation(
        threshold_decision(
            sample_size=sample_size,
            audited=audited,
            with_similar_issues=similar,
            threshold_percent=Decimal("25.00"),
        )
    )


@pytest.mark.parametrize(
    ("figures", "words"),
    [
        (
            (50, 20, 13),
            "13 of the 50 cases in the sample show similar issues: more than 25% of the "
            "sample, whatever the cases still to audit show. A full audit of all cases closed "
            "in similar circumstances is needed.",
        ),
        (
            (50, 50, 13),
            "13 of the 50 cases in the sample show similar issues: more than 25% of the "
            "sample. A full audit of all cases closed in similar circumstances is needed.",
        ),
        (
            (48, 48, 12),
            "Every case in the sample is audited: 12 of 48 show similar issues, which is not "
            "more than 25%. No full audit is needed.",
        ),
        (
            (50, 45, 7),
            "Even if all 5 cases still to audit showed similar issues, no more than 25% of the "
            "50 cases would: a full audit will not be needed.",
        ),
        (
            (50, 49, 5),
            "Even if the 1 case still to audit showed similar issues, no more than 25% of the "
            "50 cases would: a full audit will not be needed.",
        ),
        (
            (50, 20, 5),
            "20 of 50 cases audited so far, 5 with similar issues. A full audit is needed if "
            "more than 25% of the sample show similar issues.",
        ),
        (
            (0, 0, 0),
            "No sample has been drawn yet, so there is no decision. A full audit will be "
            "needed if more than 25% of the sample show similar issues.",
        ),
    ],
)
def test_the_decision_states_the_more_than_25_percent_rule(figures, words):
    """As the domain puts it: 13 of 50 triggers whatever the rest show, 12 of an achieved
    sample of 48 is exactly 25% and does not, and a decision that can no longer change says
    so before every case is audited."""
    assert decision(*figures) == words


def page_text(content: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


@pytest.mark.django_db
def test_the_programme_page_dashboard_report_and_email_give_the_same_decision(
    client, settings, django_capture_on_commit_callbacks
):
    """A manager reads why a full audit is needed on the programme page and the dashboard,
    the committee reads it in the report, and the managers' email says it in the same words."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    croydon = Organisation.objects.get_or_create(name="Croydon Council")[0]
    manager = user_with_role(Role.MANAGER, username="manager", organisation=croydon)
    auditor = user_with_role(
        Role.AUDITOR, username="auditor", organisation=croydon, team="Quality Assurance"
    )
    recommendation = recommendation_recorded(
        by=manager, kind="audit", text="Audit 50 cases closed in similar circumstances."
    )
    population_imported(organisation=croydon, count=12, by=manager)
    programme = assigned_programme(recommendation, manager, [auditor], size=8)
    for sample_case in programme.sample_cases.order_by("position")[:3]:
        submit(sample_case, similar_issues=True)
    words = (
        "3 of the 8 cases in the sample show similar issues: more than 25% of the sample, "
        "whatever the cases still to audit show. A full audit of all cases closed in similar "
        "circumstances is needed."
    )
    assert decision_explanation(programme_threshold(programme)) == words

    client.force_login(manager)
    assert words in page_text(client.get(programme.get_absolute_url()).content.decode())
    assert words in page_text(client.get(reverse("dashboard:index")).content.decode())

    report = report_draft_create(
        organisation=croydon,
        complaints=[recommendation.complaint],
        body=Body.objects.get(name="General Purposes & Audit Committee", organisation=None),
        meeting_date=date(2022, 2, 15),
        asked_to="Note the progress made.",
        by=manager,
        at=AT,
    )
    document = report_document(report=report, at=date(2022, 2, 1), status="Draft")
    assert words in [block.text for block in document.blocks if block.kind == "paragraph"]

    with django_capture_on_commit_callbacks(execute=True):
        services.full_audit_create(
            programme=programme, owner=manager, due_date=date(2022, 9, 30), by=manager, at=AT
        )
    (email,) = mail.outbox
    assert words in email.body
    assert words in page_text(email.alternatives[0][0])


@pytest.mark.django_db
def test_before_the_sample_is_drawn_no_page_shows_a_decision(client):
    """An audit set up but not drawn has decided nothing: "Not triggered" would read as if
    its cases had been audited. The audits list, the programme page, the full-audit page,
    the dashboard and the committee report all say that no sample has been drawn yet, and the
    words, should a page ask for them, say so too."""
    croydon = Organisation.objects.get_or_create(name="Croydon Council")[0]
    manager = user_with_role(Role.MANAGER, username="manager", organisation=croydon)
    recommendation = recommendation_recorded(by=manager, kind="audit")
    programme = programme_set_up(recommendation=recommendation, by=manager)
    words = (
        "No sample has been drawn yet, so there is no decision. A full audit will be needed "
        "if more than 25% of the sample show similar issues."
    )
    client.force_login(manager)

    pages = {
        "list": client.get(reverse("audits:programme_list")),
        "programme": client.get(programme.get_absolute_url()),
        "full audit": client.get(reverse("audits:full_audit_create", args=[programme.pk])),
        "dashboard": client.get(reverse("dashboard:index")),
    }
    report = report_draft_create(
        organisation=croydon,
        complaints=[recommendation.complaint],
        body=Body.objects.get(name="General Purposes & Audit Committee", organisation=None),
        meeting_date=date(2022, 2, 15),
        asked_to="Note the progress made.",
        by=manager,
        at=AT,
    )
    document = report_document(report=report, at=date(2022, 2, 1), status="Draft")

    texts = {name: page_text(page.content.decode()) for name, page in pages.items()}
    assert decision_explanation(programme_threshold(programme)) == words
    assert {name: "Not triggered" in text for name, text in texts.items()} == dict.fromkeys(
        pages, False
    )
    assert "No sample drawn yet" in texts["list"]
    assert "The sample has not been drawn yet." in texts["programme"]
    assert words in texts["full audit"]
    assert "No sample drawn yet" in texts["dashboard"]
    paragraphs = [block.text for block in document.blocks if block.kind == "paragraph"]
    assert "The sample has not been drawn yet." in paragraphs
    assert not [table for table in document.tables if table.caption.startswith("Figures")]
