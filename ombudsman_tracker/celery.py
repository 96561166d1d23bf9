"""The Celery app: configured from Django settings (``CELERY_*``), tasks found in each app."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ombudsman_tracker.settings")

app = Celery("ombudsman_tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Each worker records heartbeat "worker:<host>" every 30 s (health.bootsteps). Named, not
# imported: its module reads the models, which are ready only once the worker has set Django up.
app.steps["worker"].add("health.bootsteps:WorkerHeartbeat")

# Beat's schedule file, and the embedded filesystem broker's folders, need their folders
# before the first message, whichever broker is set.
Path(app.conf.beat_schedule_filename).parent.mkdir(parents=True, exist_ok=True)
for folder in (app.conf.broker_transport_options or {}).values():
    if isinstance(folder, str) and folder.startswith("/"):
        Path(folder).mkdir(parents=True, exist_ok=True)
