"""Pages for the Ombudsman's reply: recording the verdict, and downloading its letter.

Adapters like the other apps' views: check the permission, fetch through a selector scoped to
the user (404 for another organisation's records), validate with a form, call a service, then
redirect with a message or render.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.decorators import permission_needed
from ombudsman_tracker.forms import add_service_errors, after_conflict
from recommendations.selectors import recommendation_get_for
from viewlog.downloads import kept_file_download
from viewlog.services import ViewKind

from . import selectors, services
from .forms import VerdictForm


@permission_needed(selectors.RECORD)
def verdict_record(request, pk):
    """Record the Ombudsman's reply to the evidence awaited for recommendation ``pk``."""
    recommendation = recommendation_get_for(request.user, pk)
    awaited = selectors.awaited_reply(recommendation)
    form = VerdictForm(
        request.POST or None, request.FILES or None, initial={"version": recommendation.version}
    )
    conflict = False
    if request.method == "POST" and awaited is not None and form.is_valid():
        try:
            services.verdict_record(
                recommendation=recommendation,
                by=request.user,
                at=timezone.now(),
                version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except services.ConflictError as error:
            latest = recommendation_get_for(request.user, pk)
            form = after_conflict(form, error, version=latest.version)
            conflict = True
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            recommendation.refresh_from_db()
            messages.success(
                request,
                f"The Ombudsman's reply is recorded: recommendation {recommendation.number} is "
                f"now {recommendation.get_status_display().lower()}",
            )
            return redirect(recommendation)
    return render(
        request,
        "verdicts/verdict_form.html",
        {
            "form": form,
            "recommendation": recommendation,
            "awaited": awaited,
            "conflict": conflict,
        },
    )


@permission_needed(selectors.READ)
def letter_download(request, pk):
    """The Ombudsman's letter, as an attachment, to users who may see its recommendation."""
    verdict = selectors.verdict_get_for(request.user, pk)
    if not verdict.letter:
        raise Http404("No letter was attached to this verdict.")
    return kept_file_download(
        request, record=verdict, kind=ViewKind.OMBUDSMAN_LETTER, file=verdict.letter
    )
