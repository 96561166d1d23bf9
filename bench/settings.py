"""The production settings, as the environment gives them, plus two things for the benchmark.

- ``bench.querycount.QueryCountMiddleware`` first in ``MIDDLEWARE``: each response says how
  many database queries its request ran (and how long they took), so the benchmark reports a
  query count per page. It adds one function call per query.
- ``STATIC_ROOT`` under ``var/bench/``: ``bench/run.py`` collects the static files there (the
  production storage needs its manifest), leaving the deployment's ``staticfiles/`` alone.
"""

from ombudsman_tracker.settings import *  # noqa: F403 (the production settings, unchanged)
from ombudsman_tracker.settings import MIDDLEWARE, VAR_DIR

MIDDLEWARE = ["bench.querycount.QueryCountMiddleware", *MIDDLEWARE]
STATIC_ROOT = VAR_DIR / "bench" / "static"
