"""The service navigation: the sections a user may open, with the current one marked."""

from django.urls import reverse

# (label, URL name, permission needed; None: any signed-in user)
SECTIONS = [
    ("Home", "home", None),
    ("Complaints", "recommendations:complaint_list", "recommendations.view_complaint"),
    (
        "Recommendations",
        "recommendations:recommendation_list",
        "recommendations.view_recommendation",
    ),
    ("Audits", "audits:programme_list", "audits.view_auditprogramme"),
    ("Reports", "reports:report_list", "reports.view_committeereport"),
    ("Dashboard", "dashboard:index", "dashboard.view_dashboard"),
    ("Import", "recommendations:tracker_import", "recommendations.import_tracker"),
]


def _item(label: str, href: str, path: str) -> dict:
    # Home's prefix "/" would match every page, so it is current only on itself.
    in_section = href != "/" and path.startswith(href)
    return {
        "label": label,
        "href": href,
        "current": path == href,
        "active": in_section and path != href,
    }


def service_navigation(request):
    """Context processor: ``service_navigation`` for ``templates/includes/service_navigation``."""
    user = getattr(request, "user", None)
    # An unsaved user (a template test's) has no groups to read permissions from.
    if user is None or not user.is_authenticated or user.pk is None:
        return {"service_navigation": []}
    items = [
        _item(label, reverse(name), request.path)
        for label, name, perm in SECTIONS
        if perm is None or user.has_perm(perm)
    ]
    if user.is_staff:
        items.append(_item("Admin", reverse("admin:index"), request.path))
    return {"service_navigation": items}
