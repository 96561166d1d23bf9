"""A viewer reads complaints and recommendations but can change nothing, even by posting."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from deadlines import services as deadline_services
from deadlines.models import ExtensionBasis, ExtensionStatus
from recommendations.models import Complaint, Evidence, RecommendationStatus
from tests.browser.conftest import follow_link, sign_in
from tests.factories import complaint_recorded, recommendation_recorded

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

REFUSED = "You do not have access to this page"  # templates/403.html; a CSRF failure differs
# What other roles see on the complaint and recommendation pages, as links or buttons.
ACTIONS = [
    "Add a recommendation",
    "Edit the complaint",
    "Add evidence",
    "Update the status",
    "Record an agreed extension",
    "Request an extension",
    "Edit the recommendation",
]


def _controls(page, names):
    """Links and buttons (including links styled as buttons) whose text starts with a name."""
    starts = re.compile(r"^\s*(?:" + "|".join(map(re.escape, names)) + ")")
    return page.locator("a, button").filter(has_text=starts)


def _csrf_token(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")


def test_viewer_reads_the_complaint_and_recommendation_but_every_change_is_refused(
    page, check_page, viewer, officer
):
    complaint = complaint_recorded()
    recommendation = recommendation_recorded(complaint=complaint, owner=officer)
    deadline = recommendation.deadline
    extension = deadline_services.extension_request(
        deadline=deadline,
        new_due_date=deadline.due_date + timedelta(days=30),
        reason="The audit runs late.",
        basis=ExtensionBasis.AGREED_IN_WRITING,
        by=officer,
        at=timezone.now(),
    )

    page.goto("/")
    check_page("sign-in")
    sign_in(page, viewer)
    check_page("home")

    follow_link(page, page.get_by_role("link", name="Complaints", exact=True))
    check_page("complaints")
    follow_link(page, page.get_by_role("link", name=complaint.reference))
    expect(page.get_by_role("heading", level=1)).to_have_text(complaint.title)
    check_page("complaint")
    expect(_controls(page, ACTIONS)).to_have_count(0)

    follow_link(
        page,
        page.get_by_role("link", name=f"recommendation 1 for {recommendation.organisation}"),
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("Recommendation 1")
    check_page("recommendation")
    expect(page.get_by_role("heading", name="What you can do")).to_have_count(0)
    expect(_controls(page, ACTIONS)).to_have_count(0)
    # The requested extension is listed, without the manager's Agree and Refuse buttons.
    expect(page.get_by_text("The audit runs late.")).to_be_visible()
    expect(_controls(page, ["Agree", "Refuse"])).to_have_count(0)

    # Typing a change's address is refused with a page that says so.
    page.goto(reverse("recommendations:recommendation_status", args=[recommendation.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text(REFUSED)
    check_page("refused")

    # Posting straight to every URL that changes something, with a valid CSRF token.
    today = timezone.localdate()
    posts = {
        reverse("recommendations:complaint_create"): {"reference": "22 999 999", "title": "X"},
        reverse("recommendations:complaint_update", args=[complaint.pk]): {"title": "Changed"},
        reverse("recommendations:recommendation_create", args=[complaint.pk]): {"number": "2"},
        reverse("recommendations:recommendation_update", args=[recommendation.pk]): {
            "text": "Changed"
        },
        reverse("recommendations:recommendation_status", args=[recommendation.pk]): {
            "to_status": RecommendationStatus.WITHDRAWN,
            "on_day": today.day,
            "on_month": today.month,
            "on_year": today.year,
            "version": recommendation.version,
        },
        reverse("recommendations:evidence_add", args=[recommendation.pk]): {
            "description": "Not allowed",
            "url": "https://example.org/minutes",
        },
        reverse("recommendations:extension_create", args=[recommendation.pk]): {
            "reason": "Not allowed",
            "basis": ExtensionBasis.OTHER,
        },
        reverse("recommendations:extension_decide", args=[extension.pk]): {"decision": "agree"},
        reverse("recommendations:tracker_import"): {},
    }
    statuses, pages_shown = {}, {}
    for url, form in posts.items():
        response = page.request.post(
            url, form=form, headers={"X-CSRFToken": _csrf_token(page)}, max_redirects=0
        )
        statuses[url] = response.status
        pages_shown[url] = REFUSED in response.text()
    assert statuses == dict.fromkeys(posts, 403)
    # A 403 from a failed CSRF check would prove nothing: each one is the permission refusal.
    assert pages_shown == dict.fromkeys(posts, True)

    recommendation.refresh_from_db()
    extension.refresh_from_db()
    complaint.refresh_from_db()
    assert (recommendation.status, recommendation.text) == (
        RecommendationStatus.OPEN,
        "Share the learning across the organisation.",
    )
    assert extension.status == ExtensionStatus.REQUESTED
    assert complaint.title == "Cross-border child protection referral"
    assert Complaint.objects.count() == 1
    assert Evidence.objects.count() == 0
    assert complaint.recommendations.count() == 1
