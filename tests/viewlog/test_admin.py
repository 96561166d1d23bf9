"""Croydon's administrator reads Croydon's view log in the administration site and nothing of
Kent's; nobody (a superuser neither) adds, changes or deletes an entry there, one by one or
in bulk, by the page or by a forged POST."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.factories import UserFactory, complaint_recorded, user_with_role
from viewlog.models import RecordView, ViewKind
from viewlog.services import view_record

AT = datetime(2022, 2, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def entries(people, records, kent):
    kent_viewer = user_with_role(Role.VIEWER, username="kent-viewer", organisation=kent)
    kent_complaint = complaint_recorded(by=people.kent_manager, organisations=[kent])
    return {
        "croydon": view_record(
            user=people.viewer, record=records.complaint, kind=ViewKind.COMPLAINT, at=AT
        ),
        "kent": view_record(
            user=kent_viewer, record=kent_complaint, kind=ViewKind.COMPLAINT, at=AT
        ),
    }


@pytest.fixture
def superuser(croydon):
    return UserFactory(username="root", organisation=croydon, is_staff=True, is_superuser=True)


def _url(name, *args):
    return reverse(f"admin:viewlog_recordview_{name}", args=args)


def _unchanged(entries):
    return sorted(
        RecordView.objects.values_list("pk", "username", "kind", "object_id", "at")
    ) == sorted(
        (entry.pk, entry.username, entry.kind, entry.object_id, entry.at)
        for entry in entries.values()
    )


def test_the_administrator_lists_their_councils_entries_only(client, people, entries):
    client.force_login(people.administrator)

    response = client.get(_url("changelist"))

    assert response.status_code == 200
    assert [entry.pk for entry in response.context["cl"].result_list] == [entries["croydon"].pk]


def test_a_superuser_lists_every_councils_entries(client, superuser, entries):
    client.force_login(superuser)

    response = client.get(_url("changelist"))

    assert {entry.pk for entry in response.context["cl"].result_list} == {
        entries["croydon"].pk,
        entries["kent"].pk,
    }


def test_an_entry_is_shown_read_only(client, people, entries):
    client.force_login(people.administrator)

    response = client.get(_url("change", entries["croydon"].pk))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="_save"' not in content
    assert "Delete" not in content
    assert response.context["adminform"].form.fields == {}


def test_another_councils_entry_is_a_404(client, people, entries):
    client.force_login(people.administrator)

    for name in ("change", "delete", "history"):
        assert client.get(_url(name, entries["kent"].pk)).status_code == 404


@pytest.mark.parametrize("who", ["administrator", "superuser"])
def test_nobody_adds_changes_or_deletes_an_entry_even_by_a_forged_post(
    client, people, superuser, entries, who
):
    client.force_login(superuser if who == "superuser" else people.administrator)
    entry = entries["croydon"]

    responses = [
        client.get(_url("add")),
        client.post(_url("add"), {"username": "someone", "kind": "complaint"}),
        client.post(_url("change", entry.pk), {"username": "someone-else", "kind": "evidence"}),
        client.get(_url("delete", entry.pk)),
        client.post(_url("delete", entry.pk), {"post": "yes"}),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403, 403, 403]
    assert _unchanged(entries)


@pytest.mark.parametrize("who", ["administrator", "superuser"])
def test_no_bulk_delete_is_offered_and_a_forged_one_deletes_nothing(
    client, people, superuser, entries, who
):
    client.force_login(superuser if who == "superuser" else people.administrator)

    page = client.get(_url("changelist"))
    forged = client.post(
        _url("changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [entry.pk for entry in entries.values()],
            "post": "yes",
        },
    )

    assert page.context["action_form"] is None
    assert forged.status_code == 200
    assert _unchanged(entries)
