"""Pages for the Ombudsman's annual review letters: the list, the letter reconciled with the
app's records, typing one in or changing it, and importing a file of them.

Adapters like the other apps' views: check who may use the page, fetch through a selector
scoped to the user (404 for another organisation's letter), validate with a form, call a
service, then redirect with a message or render. Today's date is read here once.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.decorators import permission_needed
from ombudsman_tracker.forms import add_service_errors, after_conflict
from ombudsman_tracker.history import ConflictError

from . import selectors, services
from .forms import LetterForm, LetterImportForm
from .reconciliation import reconcile

PAGE_SIZE = 25
HISTORY_ROWS = 20


def readers_only(view):
    """Signed-in users who may read letters (``selectors.letters_allowed``); others get 403."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if not selectors.letters_allowed(request.user):
            raise PermissionDenied("may not read annual letters")
        return view(request, *args, **kwargs)

    return login_required(checked)


@readers_only
def letter_list(request):
    letters = selectors.letters_listed(request.user)
    return render(
        request,
        "annual_review/annualletter_list.html",
        {"page_obj": Paginator(letters, PAGE_SIZE).get_page(request.GET.get("page"))},
    )


@readers_only
def letter_detail(request, pk):
    today = timezone.localdate()
    letter = selectors.letter_get_for(request.user, pk)
    history = letter.history.select_related("history_user").order_by(
        "-history_date", "-history_id"
    )[:HISTORY_ROWS]
    return render(
        request,
        "annual_review/annualletter_detail.html",
        {
            "letter": letter,
            "reconciliation": reconcile(letter, today=today),
            "history": history,
            "today": today,
        },
    )


@permission_needed("annual_review.add_annualletter")
def letter_create(request):
    today = timezone.localdate()
    form = LetterForm(
        request.POST or None,
        organisations=selectors.organisations_for_letters(request.user),
        today=today,
        initial={"year": today.year - 1 if today.month >= 4 else today.year - 2},
    )
    if request.method == "POST" and form.is_valid():
        try:
            letter = services.letter_create(
                organisation=form.cleaned_data["organisation"],
                year=form.cleaned_data["year"],
                by=request.user,
                **form.figures(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except ConflictError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Letter for {letter.financial_year.label} recorded")
            return redirect(letter)
    return render(request, "annual_review/annualletter_form.html", {"form": form})


@permission_needed("annual_review.change_annualletter")
def letter_update(request, pk):
    today = timezone.localdate()
    letter = selectors.letter_get_for(request.user, pk)
    form_kwargs = {
        "organisations": selectors.organisations_for_letters(request.user),
        "today": today,
        "letter": letter,
    }
    form = LetterForm(request.POST or None, initial=LetterForm.initial_for(letter), **form_kwargs)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.letter_update(
                letter=letter,
                version=form.cleaned_data["version"],
                by=request.user,
                **form.figures(),
            )
        except ConflictError as error:
            latest = selectors.letter_get_for(request.user, pk)
            form = after_conflict(
                form, error, version=latest.version, **(form_kwargs | {"letter": latest})
            )
            conflict = True
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Letter for {letter.financial_year.label} saved")
            return redirect(letter)
    return render(
        request,
        "annual_review/annualletter_form.html",
        {"form": form, "letter": letter, "conflict": conflict},
    )


@permission_needed("annual_review.add_annualletter")
def letter_import(request):
    form = LetterImportForm(request.POST or None, request.FILES or None)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.letters_import(file=upload, by=request.user, file_name=upload.name)
        except services.LetterImportError as error:
            row_errors = error.errors
            form.add_error("file", "The file has problems, listed below: nothing was imported")
        else:
            messages.success(
                request,
                f"Letters imported: {result.created} new, {result.updated} changed, "
                f"{result.unchanged} already as in the file",
            )
            return redirect("annual_review:letter_list")
    return render(
        request,
        "annual_review/annualletter_import.html",
        {"form": form, "row_errors": row_errors},
    )
