"""Reading the view log: "Who has viewed this" on a record's page, for its managers."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, Window

from .models import RecordView
from .services import record_organisation_id

# Granted to the Managers and Administrators roles (migration 0003); superusers hold it too.
VIEW_LOG = "viewlog.view_recordview"
LATEST = 20


@dataclass(frozen=True)
class RecentViews:
    entries: list[RecordView]  # the latest, newest first
    earlier: int  # how many more there are, not listed


def views_shown_to(user, *, record, limit: int = LATEST) -> RecentViews | None:
    """The latest views of ``record``, for the managers and administrators of its
    organisation; None for anyone else, who is not shown the section at all.

    Of a complaint several councils share, each council's managers see their own staff's
    views and those of people who see every organisation, not the other council's. One query
    whatever the number of views: the total is counted in the same SELECT (a window).
    """
    if not user.has_perm(VIEW_LOG):
        return None
    views = RecordView.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    )
    if not user.sees_every_organisation:
        owner = record_organisation_id(record)
        if owner is not None and owner != user.organisation_id:
            return None  # a partner agency's manager auditing for another council
        views = views.filter(Q(organisation=user.organisation_id) | Q(organisation__isnull=True))
    entries = list(views.select_related("user").annotate(total=Window(Count("pk")))[:limit])
    return RecentViews(entries=entries, earlier=entries[0].total - len(entries) if entries else 0)
