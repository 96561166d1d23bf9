"""Counts the database queries of each request, for the benchmark only (``bench.settings``).

A response carries the count in ``X-Bench-Queries`` and the time the queries took in
``X-Bench-Database-Ms``. A streamed response (the tracker export, a file download) runs
queries after its headers have gone: its count is written, once the last chunk is sent, to a
file named by the request's ``X-Bench-Request`` header in ``BENCH_QUERY_DIR``.
"""

import os
import re
import time
from pathlib import Path

from django.db import connection

QUERIES_HEADER = "X-Bench-Queries"
DATABASE_MS_HEADER = "X-Bench-Database-Ms"
REQUEST_META = "HTTP_X_BENCH_REQUEST"


class QueryCounter:
    """A ``connection.execute_wrapper``: counts the queries it sees and times them."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - started


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        if response.streaming:
            response.streaming_content = _counted_while_streaming(
                response.streaming_content, counter, request.META.get(REQUEST_META, "")
            )
        else:
            response[QUERIES_HEADER] = str(counter.count)
            response[DATABASE_MS_HEADER] = f"{counter.seconds * 1000:.1f}"
        return response


def _counted_while_streaming(content, counter: QueryCounter, tag: str):
    with connection.execute_wrapper(counter):
        yield from content
    folder = os.environ.get("BENCH_QUERY_DIR")
    if folder and re.fullmatch(r"[A-Za-z0-9_-]{1,80}", tag):
        # Written aside then renamed, so the benchmark never reads half a file.
        written = Path(folder) / f".{tag}"
        written.write_text(f"{counter.count} {counter.seconds * 1000:.1f}")
        os.replace(written, Path(folder) / tag)
