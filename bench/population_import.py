"""Benchmark: population import time and memory at 10,000 and 100,000 rows.

Run: ``.venv/bin/python bench/population_import.py`` (DATABASE_URL picks the database; a
throwaway test database is created and destroyed). Prints seconds, rows per second, the
process's peak resident memory, and the ratio of the large run to the small one (10 means
linear). Memory should stay flat: the file is streamed, never held.
"""

import io
import os
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ombudsman_tracker.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

HEADER = (
    "case_reference,team,opened_on,closed_on,presenting_needs,cross_border,other_council,context\n"
)


def population_file(rows: int) -> io.BytesIO:
    body = "".join(
        f"CR-{n:07d},Team {n % 12},2019-01-01,2019-03-01,neglect;missing,"
        f"{'yes' if n % 3 else 'no'},Kent County Council,Closed after assessment\n"
        for n in range(rows)
    )
    return io.BytesIO((HEADER + body).encode())


def run(rows: int, organisation, user) -> float:
    from audits.models import PopulationCase
    from audits.population_csv import population_import

    PopulationCase.objects.all().delete()
    file = population_file(rows)
    started = time.perf_counter()
    population_import(
        file=file,
        file_name="bench.csv",
        organisation=organisation,
        by=user,
        at=datetime.now(tz=UTC),
    )
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    file_mib = len(file.getvalue()) / 2**20
    print(
        f"{rows:>7} rows: {seconds:6.2f} s, {rows / seconds:8.0f} rows/s, "
        f"peak process memory {peak_mib:6.1f} MiB (the file: {file_mib:.1f} MiB)"
    )
    return seconds


def main():
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        from accounts.models import User
        from organisations.models import Organisation

        organisation = Organisation.objects.create(name="Benchmark Council")
        user = User.objects.create(username="bench", organisation=organisation)
        print(f"Database: {connection.vendor}")
        small = run(10_000, organisation, user)
        large = run(100_000, organisation, user)
        print(f"ratio 100k/10k: {large / small:.1f} (10 would be linear)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
