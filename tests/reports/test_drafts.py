"""A clerk downloading a draft again gets the file laid out the first time, for as long as the
draft says the same; once it says something else, the file is laid out again."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from redis.exceptions import RedisError

from reports import drafts, services
from tests.reports.conftest import draft_prepared

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_cache(settings):
    """An empty cache of this test's own: what another test or run left would be served here."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "reports-drafts-test",
        }
    }
    cache.clear()


@pytest.fixture
def laid_out(monkeypatch):
    """The files laid out, by format, as the renderers are called."""
    calls = []
    for kind, render in list(drafts.RENDERERS.items()):

        def counted(document, *, draft, kind=kind, render=render):
            calls.append(kind)
            return render(document, draft=draft)

        monkeypatch.setitem(drafts.RENDERERS, kind, counted)
    return calls


@pytest.fixture
def draft(complaint, recommendations, croydon, committee, clerk):
    return draft_prepared(complaint=complaint, organisation=croydon, body=committee, by=clerk)


def _download(client, name, draft) -> bytes:
    response = client.get(reverse(f"reports:report_{name}", args=[draft.pk]))
    return b"".join(response.streaming_content)


def test_an_unchanged_draft_is_laid_out_once_for_each_format(client, clerk, draft, laid_out):
    client.force_login(clerk)

    first = [_download(client, name, draft) for name in ("docx", "pdf")]
    again = [_download(client, name, draft) for name in ("docx", "pdf")]

    assert again == first
    assert laid_out == ["docx", "pdf"]


def test_a_changed_draft_is_laid_out_again(client, clerk, draft, complaint, committee, laid_out):
    client.force_login(clerk)
    before = _download(client, "docx", draft)

    services.report_draft_update(
        report=draft,
        complaints=[complaint],
        body=committee,
        meeting_date=draft.meeting_date,
        asked_to="Note the progress made and agree the next steps.",
        by=clerk,
    )
    after = _download(client, "docx", draft)

    assert laid_out == ["docx", "docx"]
    assert after != before


class UnreachableCache:
    def get(self, *args, **kwargs):
        raise RedisError("Connection refused")

    set = get


def test_a_failing_cache_still_gives_the_file(client, clerk, draft, laid_out, monkeypatch):
    monkeypatch.setattr(drafts, "cache", UnreachableCache())
    client.force_login(clerk)

    assert _download(client, "pdf", draft)[:5] == b"%PDF-"
    assert laid_out == ["pdf"]
