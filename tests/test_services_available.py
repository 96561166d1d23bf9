"""The suite runs against real PostgreSQL and Redis in CI; these say so if it does not."""

import pytest
from django.conf import settings
from django.db import connection
from kombu import Connection

from tests.conftest import service_missing


@pytest.mark.django_db
def test_database_is_postgresql_when_services_are_required():
    if connection.vendor != "postgresql":
        service_missing(f"the tests ran on {connection.vendor}, not PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 140000


@pytest.mark.redis
def test_celery_broker_is_the_real_redis(redis_url):
    assert redis_url == settings.CELERY_BROKER_URL
    with Connection(settings.CELERY_BROKER_URL) as broker:
        broker.ensure_connection(max_retries=1)
        client = broker.default_channel.client
        assert client.ping() is True
