"""Every model's admin pages render for a superuser, with the demo data loaded (once for the
module: each test rolls back its own changes)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(demo, client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_admin_changelist_add_and_change_pages_render(superuser_client, model):
    opts = model._meta
    changelist = superuser_client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    )
    assert changelist.status_code == 200

    add = superuser_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert add.status_code in (200, 403)

    first = model.objects.first()
    if first is not None:
        change = superuser_client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
        )
        assert change.status_code == 200
        history = superuser_client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[first.pk])
        )
        assert history.status_code == 200
