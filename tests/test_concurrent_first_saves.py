"""Two people, two tabs or a double click saving the first version of the same record at once.

The database's unique constraints decide who was first. Every other save ends as a message the
user can act on (the app's conflict message, or the record being there already) with what they
typed kept, never a server error, and nothing the first save wrote is lost. Requests go through
the real pages, each from its own signed-in client in its own thread, released together; each
test prints its figures.

"Held at the insert" stories make the race certain: every save waits until all of them have
found nothing and are about to insert, so the database itself must refuse all but one.
"""

import html
import io
import re
import threading
from collections import Counter
from datetime import UTC, date, datetime

import pytest
from django.db import IntegrityError, connection
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from audits import population_csv
from audits import services as audit_services
from audits.models import AuditOutcome, PopulationCase
from deadlines.models import Deadline
from ombudsman_tracker.history import (
    ConflictError,
    conflict_on_duplicate,
    is_unique_violation,
)
from organisations.models import Organisation, Team
from recommendations import services as recommendation_services
from recommendations.models import Complaint, Recommendation
from recommendations.tracker_csv import IMPORT_COLUMNS, TrackerImportError, tracker_import
from tests.factories import (
    lgsco,
    population_imported,
    programme_set_up,
    recommendation_recorded,
    user_with_role,
)

AT = datetime(2022, 2, 1, 10, 0, tzinfo=UTC)
# The threads commit for real, so each test starts from a flushed database; the rows the
# migrations seed (roles, the LGSCO, clock rules) are restored after it.
concurrent = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FIRST_SAVE_LOST = "was saved by someone else first, while you were entering it"
CHANGED_MEANWHILE = "was changed by someone else while you were editing it"
NOT_SAVED = "Your changes have not been saved: check the latest version and make them again."


# --- Running requests at once ---------------------------------------------------------------


def all_at_once(count: int, work) -> list:
    """``work(n)`` for n in 0..count-1, each in its own thread, all released together by a
    barrier. Returns what each returned, or the exception it raised. Each thread closes its
    own database connection."""
    barrier = threading.Barrier(count, timeout=30)
    results: list = [None] * count

    def run(n):
        try:
            barrier.wait()
            results[n] = work(n)
        except Exception as error:  # a server error, or a refusal the test expects
            results[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


def held_at_the_insert(monkeypatch, owner, name: str, model, parties: int):
    """Make ``owner.name`` (a save function, or a model's ``save``) wait, on the first insert
    of a ``model`` in each thread, until ``parties`` threads are about to insert."""
    original = getattr(owner, name)
    barrier = threading.Barrier(parties, timeout=30)
    waited = threading.local()

    def first_insert_waits(instance, *args, **kwargs):
        if isinstance(instance, model) and instance.pk is None and not hasattr(waited, "once"):
            waited.once = True
            barrier.wait()
        return original(instance, *args, **kwargs)

    monkeypatch.setattr(owner, name, first_insert_waits)


def signed_in(user, count: int) -> list[Client]:
    clients = []
    for _ in range(count):
        # A server error comes back as a 500 response: the client's "re-raise the view's
        # exception" hook is global (a signal), so it would blame every thread's request.
        client = Client(raise_request_exception=False)
        client.force_login(user)  # passes the second factor too (tests/conftest.py)
        clients.append(client)
    return clients


def page_text(response) -> str:
    """What a reader sees: each tag read as a space, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def ended_as(result, *, messages) -> str:
    """How a request ended: "saved" (redirected), "conflict" (the page again, with one of
    ``messages``), "error" (a server error) or "unexpected"."""
    if isinstance(result, Exception) or result.status_code >= 500:
        return "error"
    if result.status_code == 302:
        return "saved"
    text = page_text(result)
    if result.status_code == 200 and any(message in text for message in messages):
        return "conflict"
    return "unexpected"


def figures(story: str, endings: Counter, **more) -> None:
    extra = "".join(f", {count} {what.replace('_', ' ')}" for what, count in more.items())
    print(
        f"\n{story}: {sum(endings.values())} requests, {endings['saved']} saved, "
        f"{endings['conflict']} conflicts, {endings['error']} errors"
        f"{extra}"
    )


# --- An audit outcome: one per case and role ------------------------------------------------


def case_assigned_to_an_auditor():
    croydon = Organisation.objects.create(name="Croydon Council")
    manager = user_with_role(Role.MANAGER, username="manager", organisation=croydon)
    auditor = user_with_role(
        Role.AUDITOR, username="auditor", organisation=croydon, team="Quality Assurance"
    )
    recommendation = recommendation_recorded(by=manager, kind="audit")
    population_imported(organisation=croydon, count=4, by=manager)
    programme = programme_set_up(
        recommendation=recommendation, by=manager, target_sample_size=4, moderation_percent=0
    )
    audit_services.sample_draw(programme=programme, by=manager, at=AT, seed="5eed")
    audit_services.auditor_add(programme=programme, auditor=auditor, by=manager)
    audit_services.auditors_assign(programme=programme, by=manager)
    return programme.sample_cases.first()


def first_drafts_at_once(sample_case, count: int) -> list:
    clients = signed_in(sample_case.auditor, count)
    url = reverse("audits:outcome_form", args=[sample_case.pk])
    return all_at_once(
        count,
        lambda n: clients[n].post(
            url, {"action": "draft", "version": "", "findings": f"Typed in tab {n}"}
        ),
    )


def outcome_endings(results) -> Counter:
    return Counter(ended_as(result, messages=[NOT_SAVED]) for result in results)


def assert_one_outcome_saved_and_every_other_tab_kept_its_draft(results, endings) -> None:
    assert endings == {"saved": 1, "conflict": len(results) - 1}
    winner = next(n for n, result in enumerate(results) if result.status_code == 302)
    outcome = AuditOutcome.objects.get()
    assert outcome.findings == f"Typed in tab {winner}"
    assert [entry.history_type for entry in outcome.history.all()] == ["+"]
    for n, result in enumerate(results):
        if n != winner:
            # What the tab typed is kept, on top of the saved version: saving again applies it.
            text = page_text(result)
            assert f"Typed in tab {n}" in text
            assert 'name="version" value="1"' in result.content.decode()


@concurrent
def test_eight_tabs_saving_the_first_draft_of_an_outcome_at_once_one_wins_seven_see_the_conflict():
    sample_case = case_assigned_to_an_auditor()

    results = first_drafts_at_once(sample_case, 8)

    endings = outcome_endings(results)
    texts = [page_text(result) for result in results if result.status_code == 200]
    figures(
        "Outcome, 8 tabs at once",
        endings,
        refused_by_the_database=sum(FIRST_SAVE_LOST in text for text in texts),
        found_already_saved=sum(CHANGED_MEANWHILE in text for text in texts),
    )
    assert_one_outcome_saved_and_every_other_tab_kept_its_draft(results, endings)


@concurrent
def test_eight_first_drafts_of_an_outcome_held_at_the_insert_are_refused_by_the_database(
    monkeypatch,
):
    sample_case = case_assigned_to_an_auditor()
    held_at_the_insert(monkeypatch, audit_services, "save_with_history", AuditOutcome, 8)

    results = first_drafts_at_once(sample_case, 8)

    endings = outcome_endings(results)
    figures("Outcome, 8 tabs held at the insert", endings)
    assert_one_outcome_saved_and_every_other_tab_kept_its_draft(results, endings)
    losers = [page_text(result) for result in results if result.status_code == 200]
    assert all(f"This audit outcome {FIRST_SAVE_LOST}. {NOT_SAVED}" in text for text in losers)


# --- A complaint: one per Ombudsman's reference ---------------------------------------------


def complaint_fields(*organisations) -> dict:
    return {
        "ombudsman": lgsco().pk,
        "reference": "22 001 234",
        "title": "Cross-border child protection referral",
        "service_area": "Children's Social Care",
        "organisations": [organisation.pk for organisation in organisations],
        "finding": "fault_injustice",
        "is_public_interest_report": "on",
        "report_date_day": "1",
        "report_date_month": "3",
        "report_date_year": "2022",
        "received_date_day": "3",
        "received_date_month": "3",
        "received_date_year": "2022",
        "summary": "",
    }


@concurrent
def test_both_councils_recording_a_cross_border_complaint_at_once_record_it_once(monkeypatch):
    croydon = Organisation.objects.create(name="Croydon Council")
    kent = Organisation.objects.create(name="Kent County Council")
    officers = [
        user_with_role(Role.OFFICER, username=f"officer{n}", organisation=organisation)
        for n, organisation in enumerate((croydon, kent))
    ]
    # Each council's officer, in two tabs.
    clients = [client for officer in officers for client in signed_in(officer, 2)]
    held_at_the_insert(monkeypatch, recommendation_services, "save_with_history", Complaint, 4)
    url, data = reverse("recommendations:complaint_create"), complaint_fields(croydon, kent)

    results = all_at_once(4, lambda n: clients[n].post(url, data))

    endings = Counter(
        ended_as(result, messages=[f"This complaint {FIRST_SAVE_LOST}"]) for result in results
    )
    figures("Complaint, 2 councils x 2 tabs held at the insert", endings)
    assert endings == {"saved": 1, "conflict": 3}
    complaint = Complaint.objects.get()
    assert complaint.history.filter(history_type="+").count() == 1
    # Its statutory clocks once each: the refused saves left nothing behind.
    clocks = Deadline.objects.filter(complaint=complaint).values_list("organisation", "kind")
    assert len(clocks) == len(set(clocks)) > 0
    for result in results:
        if result.status_code == 200:
            assert 'value="Cross-border child protection referral"' in result.content.decode()


# --- A recommendation: one per number, complaint and council --------------------------------


def recommendation_fields(organisation, owner, number: str) -> dict:
    return {
        "organisation": organisation.pk,
        "number": number,
        "text": "Apologise to the family.",
        "kind": "personal_remedy",
        "expected_evidence": "A copy of the letter of apology.",
        "owner": owner.pk,
        "counting": "within",
        "count": "1",
        "unit": "months",
        "anchor": "report_date",
    }


TAKEN = "Recommendation 4 for Croydon Council is already recorded on this complaint"
TAKEN_BY_THE_SERVICE = "Recommendation with this Complaint, Organisation and Number already exists"


@concurrent
def test_four_tabs_recording_the_same_recommendation_at_once_record_it_once():
    croydon = Organisation.objects.create(name="Croydon Council")
    officer = user_with_role(Role.OFFICER, username="officer", organisation=croydon)
    complaint = recommendation_recorded(by=officer).complaint
    url = reverse("recommendations:recommendation_create", args=[complaint.pk])
    clients = signed_in(officer, 4)
    data = recommendation_fields(croydon, officer, "4")

    results = all_at_once(4, lambda n: clients[n].post(url, data))

    endings = Counter(
        ended_as(result, messages=[TAKEN, TAKEN_BY_THE_SERVICE]) for result in results
    )
    figures("Recommendation, 4 tabs at once", endings)
    assert endings == {"saved": 1, "conflict": 3}
    recommendation = Recommendation.objects.get(number=4)
    assert [entry.history_type for entry in recommendation.history.all()] == ["+"]
    assert Deadline.objects.filter(title__endswith="recommendation 4").count() == 1


@concurrent
def test_a_recommendation_renumbered_while_another_takes_that_number_is_told_it_is_taken():
    croydon = Organisation.objects.create(name="Croydon Council")
    officer = user_with_role(Role.OFFICER, username="officer", organisation=croydon)
    renumbered = recommendation_recorded(by=officer, number=2)
    complaint = renumbered.complaint
    edit_url = reverse("recommendations:recommendation_update", args=[renumbered.pk])
    create_url = reverse("recommendations:recommendation_create", args=[complaint.pk])
    editor, recorder = signed_in(officer, 2)
    opened = editor.get(edit_url).context["form"].initial
    edit = {name: value for name, value in opened.items() if value is not None} | {"number": "4"}
    posts = [
        lambda: editor.post(edit_url, edit),
        lambda: recorder.post(create_url, recommendation_fields(croydon, officer, "4")),
    ]

    results = all_at_once(2, lambda n: posts[n]())

    endings = Counter(
        ended_as(result, messages=[TAKEN, TAKEN_BY_THE_SERVICE]) for result in results
    )
    figures("Recommendation renumbered while recorded", endings)
    assert endings == {"saved": 1, "conflict": 1}
    assert complaint.recommendations.filter(number=4).count() == 1


# --- A similar case added to a sample: one per case, one per position -----------------------


def programme_short_of_cases():
    """A sample of 5 against a target of 8, and cases outside the criteria to add instead."""
    croydon = Organisation.objects.create(name="Croydon Council")
    manager = user_with_role(Role.MANAGER, username="manager", organisation=croydon)
    recommendation = recommendation_recorded(by=manager, kind="audit")
    population_imported(organisation=croydon, count=5, by=manager)
    population_imported(organisation=croydon, count=4, by=manager, start=50, cross_border=False)
    programme = programme_set_up(recommendation=recommendation, by=manager, target_sample_size=8)
    audit_services.sample_draw(programme=programme, by=manager, at=AT, seed="5eed")
    return programme, manager


@concurrent
def test_four_tabs_adding_the_same_similar_case_at_once_add_it_once():
    programme, manager = programme_short_of_cases()
    url = reverse("audits:substitute_add", args=[programme.pk])
    clients = signed_in(manager, 4)
    data = {"case_reference": "CR-00050", "reason": "Same needs; not flagged cross-border"}

    results = all_at_once(4, lambda n: clients[n].post(url, data))

    endings = Counter(
        ended_as(result, messages=["CR-00050 is already in the sample."]) for result in results
    )
    figures("Similar case, 4 tabs at once", endings)
    assert endings == {"saved": 1, "conflict": 3}
    added = programme.sample_cases.get(case__case_reference="CR-00050")
    assert added.position == 6
    assert [entry.history_type for entry in added.history.all()] == ["+"]


@concurrent
def test_four_managers_adding_different_similar_cases_at_once_each_get_the_next_position():
    programme, manager = programme_short_of_cases()
    url = reverse("audits:substitute_add", args=[programme.pk])
    clients = signed_in(manager, 4)

    results = all_at_once(
        4,
        lambda n: clients[n].post(
            url, {"case_reference": f"CR-{50 + n:05d}", "reason": "Same needs"}
        ),
    )

    endings = Counter(ended_as(result, messages=[]) for result in results)
    figures("Similar cases, 4 different at once", endings)
    assert endings == {"saved": 4}
    positions = programme.sample_cases.filter(position__gt=5).values_list("position", flat=True)
    assert sorted(positions) == [6, 7, 8, 9]


# --- The population: one case per reference and organisation --------------------------------

POPULATION_HEADER = "case_reference,team,opened_on,closed_on,presenting_needs,cross_border\n"


def population_file(*, team="Front Door", cases=range(1, 301)) -> bytes:
    rows = "".join(f"CR-{n:05d},{team},2019-01-10,2019-06-30,neglect,yes\n" for n in cases)
    return (POPULATION_HEADER + rows).encode()


def imports_at_once(organisation, manager, files: list[bytes]) -> list:
    return all_at_once(
        len(files),
        lambda n: population_csv.population_import(
            file=io.BytesIO(files[n]),
            file_name=f"population-{n}.csv",
            organisation=organisation,
            by=manager,
            at=AT,
        ),
    )


@concurrent
def test_the_same_population_file_imported_three_times_at_once_adds_each_case_once():
    croydon = Organisation.objects.create(name="Croydon Council")
    manager = user_with_role(Role.MANAGER, username="manager", organisation=croydon)

    results = imports_at_once(croydon, manager, [population_file()] * 3)

    errors = [result for result in results if isinstance(result, Exception)]
    print(
        f"\nPopulation, 3 imports at once: 3 imports, {3 - len(errors)} finished, "
        f"{len(errors)} errors, cases added {[getattr(r, 'created', None) for r in results]}"
    )
    assert errors == []
    assert sorted(summary.created for summary in results) == [0, 0, 300]
    assert [summary.unchanged for summary in results if not summary.created] == [300, 300]
    assert PopulationCase.objects.filter(organisation=croydon).count() == 300


@concurrent
def test_two_population_files_disagreeing_about_a_case_imported_at_once_never_overwrite_it():
    croydon = Organisation.objects.create(name="Croydon Council")
    manager = user_with_role(Role.MANAGER, username="manager", organisation=croydon)
    files = [population_file(team="Front Door"), population_file(team="Assessment")]

    results = imports_at_once(croydon, manager, files)

    refused = [r for r in results if isinstance(r, population_csv.PopulationImportError)]
    print(f"\nPopulation, 2 disagreeing imports at once: {len(refused)} refused with row errors")
    assert len(refused) == 1
    assert refused[0].errors[0].message == (
        "CR-00001 is already held with different details; the import never overwrites a case."
    )
    teams = set(PopulationCase.objects.values_list("team", flat=True))
    assert len(teams) == 1
    assert PopulationCase.objects.count() == 300


# --- A tracker import creating a complaint someone else records at the same moment ----------


def tracker_file() -> io.StringIO:
    row = {
        "complaint_reference": "21 000 001",
        "ombudsman": "LGSCO",
        "complaint_title": "Cross-border child protection referral",
        "finding": "fault with injustice",
        "public_interest_report": "no",
        "report_date": "2021-11-26",
        "received_date": "2021-11-26",
        "organisations": "Croydon Council",
        "organisation": "Croydon Council",
        "recommendation_number": "1",
        "recommendation": "Share the learning across the organisation.",
        "kind": "learning",
        "expected_evidence": "Copies of the briefing and who received it.",
        "rule": "within 3 months of report date",
        "status": "open",
    }
    header = [column.name for column in IMPORT_COLUMNS]
    values = [row.get(name, "") for name in header]
    text = ",".join(header) + "\n" + ",".join(f'"{value}"' for value in values) + "\n"
    return io.StringIO(text, newline="")


@concurrent
def test_two_imports_recording_the_same_complaint_at_once_one_is_refused_with_a_row_error(
    monkeypatch,
):
    croydon = Organisation.objects.create(name="Croydon Council")
    manager = user_with_role(Role.MANAGER, username="manager", organisation=croydon)
    held_at_the_insert(monkeypatch, recommendation_services, "save_with_history", Complaint, 2)

    results = all_at_once(2, lambda n: tracker_import(file=tracker_file(), by=manager, at=AT))

    refused = [result for result in results if isinstance(result, TrackerImportError)]
    print(f"\nTracker, 2 imports held at the insert: {len(refused)} refused with a row error")
    assert len(refused) == 1
    assert [error.message for error in refused[0].errors] == [
        "Someone else recorded this complaint while the file was read."
    ]
    assert Complaint.objects.count() == Recommendation.objects.count() == 1


# --- The administration site: teams, bodies, users, organisations ---------------------------


def admin_ended_as(result, *, saved_url) -> str:
    """Saved: on to ``saved_url``. A conflict: back to the form, the reason in a message."""
    if isinstance(result, Exception) or result.status_code >= 500:
        return "error"
    if result.status_code != 302:
        return "unexpected"
    return "saved" if result.url == saved_url else "conflict"


@concurrent
def test_two_administrators_adding_the_same_team_at_once_add_it_once(monkeypatch):
    croydon = Organisation.objects.create(name="Croydon Council")
    administrators = [
        user_with_role(
            Role.ADMINISTRATOR, username=f"admin{n}", organisation=croydon, is_staff=True
        )
        for n in (1, 2)
    ]
    clients = [signed_in(administrator, 1)[0] for administrator in administrators]
    held_at_the_insert(monkeypatch, Team, "save", Team, 2)
    add_url = reverse("admin:organisations_team_add")
    data = {
        "organisation": croydon.pk,
        "name": "Front Door",
        "manager_name": "Sam Patel",
        "manager_email": "front.door@croydon.example.org",
        "_save": "Save",
    }

    results = all_at_once(2, lambda n: clients[n].post(add_url, data))

    endings = Counter(
        admin_ended_as(result, saved_url=reverse("admin:organisations_team_changelist"))
        for result in results
    )
    figures("Team in the admin, 2 administrators held at the insert", endings)
    assert endings == {"saved": 1, "conflict": 1}
    refused = next(result for result in results if result.url == add_url)
    assert [str(message) for message in refused.wsgi_request._messages] == [
        f"This team {FIRST_SAVE_LOST}. {NOT_SAVED}"
    ]
    team = Team.objects.get()
    assert [entry.history_type for entry in team.history.all()] == ["+"]


# --- The converter itself -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_duplicate_first_save_becomes_a_conflict_and_the_transaction_stays_usable():
    Organisation.objects.create(name="Croydon Council")
    duplicate = Organisation(name="Croydon Council")

    with pytest.raises(ConflictError) as raised, conflict_on_duplicate(duplicate):
        duplicate.save()

    assert str(raised.value) == f"This organisation {FIRST_SAVE_LOST}. {NOT_SAVED}"
    assert raised.value.instance is duplicate
    assert Organisation.objects.filter(name="Croydon Council").count() == 1


@pytest.mark.django_db
def test_a_missing_value_is_not_taken_for_a_conflict():
    with pytest.raises(IntegrityError), conflict_on_duplicate(Organisation()):
        Organisation.objects.create(name=None)

    assert Organisation.objects.count() == 0  # the savepoint was rolled back, nothing else


@pytest.mark.django_db
def test_a_broken_check_constraint_is_not_taken_for_a_conflict():
    complaint = Complaint(
        ombudsman=lgsco(),
        reference="22 001 234",
        title="Received before it was written",
        finding="fault",
        report_date=date(2022, 3, 1),
        received_date=date(2022, 2, 1),
    )

    with pytest.raises(IntegrityError), conflict_on_duplicate(complaint):
        complaint.save()


@pytest.mark.parametrize(
    ("message", "unique"),
    [
        ("UNIQUE constraint failed: organisations_organisation.name", True),
        ("NOT NULL constraint failed: organisations_organisation.name", False),
        ("FOREIGN KEY constraint failed", False),
        ("CHECK constraint failed: complaint_received_after_report", False),
    ],
)
def test_sqlite_says_a_unique_violation_only_in_its_message(message, unique):
    assert is_unique_violation(IntegrityError(message)) is unique
