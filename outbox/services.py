"""Background work with the database as its source of truth: record, publish, claim, retry.

A request that makes work necessary records a ``Job`` in its own transaction
(``job_record``), so the work is known the moment the request's changes are. Handing it to the
broker is a best effort, after the commit (``job_publish``): a broker that is down or hung
costs the request a few seconds (the broker timeouts in settings) and a warning in the log,
never an error. The sweep (``jobs_sweep``, every minute from beat, task ``outbox.sweep``)
publishes again every job that is due and not finished, so nothing waits on a lost message.

A worker runs a job through ``job_run`` (task ``outbox.run``), which claims it with a
compare-and-set update on its attempt count and a lease (the kind's hard time limit plus a
margin): a second delivery of the same message, or the sweep's copy, finds it claimed and
does nothing. A failed attempt is retried after a growing delay, up to the kind's attempts;
then the job is given up and its kind says so where the user sees it. An attempt whose
worker was killed holds the lease until it runs out; the job is then claimed again.

What is guaranteed: each job runs to completion once in normal operation, and is retried
until it succeeds or is given up visibly, whatever happens to the broker. The limit: a
worker that dies (or loses the database) after the work took effect, an email accepted by the
mail server, but before the job is marked done, leaves the job to be run again once its lease
runs out: a duplicate email is possible then, and only then. Imports are safe to repeat: each
writes all or nothing, and an upload already finished is left alone.

Kinds in use (names stored in rows: stable, see ``outbox.kinds``):

- ``audits.live_concern_email``: email the team manager about a live concern (``LiveConcern``).
- ``audits.full_audit_notice``: tell the managers a full audit was created (``AuditProgramme``).
- ``audits.population_import``: import an uploaded population file (``PopulationUpload``).
- ``recommendations.tracker_import``: import an uploaded tracker (``TrackerUpload``).

For tests and operators: ``jobs_sweep(at=...)`` with a later ``at`` acts as the sweep would
then (retries fall due, leases run out) and ``job_run(job_id=..., at=...)`` likewise. A worker
in another process claims by its own clock: to act as if a killed worker's lease had run out,
move the job's ``claimed_until`` back (``tests.outbox.jobs.lease_run_out``), then sweep.
"""

import logging
import time
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

from .kinds import Kind, kind_get
from .models import Job

logger = logging.getLogger(__name__)

# Errors a broker that is down, refusing or hung raises on publish. Celery turns the
# transport's connection errors into kombu's OperationalError; the rest are caught in case a
# transport lets one through (OSError covers sockets, TimeoutError and the filesystem broker).
BROKER_ERRORS = (KombuError, RedisError, OSError)

# The sweep publishes at most this many jobs a run, oldest first; the next run takes the rest.
SWEEP_BATCH = 500
# A job published this recently and not yet taken by a worker is not published again by the
# sweep: its message is most likely waiting behind other work, and copies would pile up while
# no worker runs. (A worker taking a job clears its ``published_at``.)
REPUBLISH_AFTER = timedelta(minutes=2)
# Done jobs are kept this long, then purged (the sweep purges at most PURGE_BATCH a run).
# Given-up jobs are kept: they are the record that something could not be done.
KEEP_DONE = timedelta(days=30)
PURGE_BATCH = 1000


# --- Publishing: best effort -----------------------------------------------------------------


def task_publish(task, *args, **options) -> bool:
    """Queue ``task`` with ``args``; False, with a warning logged, if the broker cannot take
    it now. Never raises a broker error: what must happen is in the database already."""
    try:
        task.apply_async(args, **options)
    except BROKER_ERRORS as error:
        logger.warning("Could not queue %s%s: the broker refused it: %s", task.name, args, error)
        return False
    return True


def task_publish_each(task, ids) -> int:
    """``task_publish`` of ``task`` for each id in turn, stopping at the first the broker
    refuses (each of the rest would wait as long). Returns how many were queued."""
    queued = 0
    for object_id in ids:
        if not task_publish(task, object_id):
            break
        queued += 1
    return queued


def job_publish(job_id: int, kind: Kind) -> bool:
    """Queue a run of the job with its kind's time limits, recording when. Returns whether the
    broker took it."""
    from .tasks import run  # the tasks module imports this one

    # Recorded first: a worker that takes the job clears it, and must not be overwritten.
    Job.objects.filter(pk=job_id).update(published_at=timezone.now())
    published = task_publish(
        run, job_id, soft_time_limit=kind.soft_time_limit, time_limit=kind.time_limit
    )
    if not published:
        Job.objects.filter(pk=job_id).update(published_at=None)
    return published


# --- Recording -------------------------------------------------------------------------------


def job_record(*, kind: str, object_id: int, at: datetime | None = None) -> Job:
    """Record that ``kind`` must run for ``object_id``, in the caller's transaction, and queue
    it once that commits (a best effort: the sweep queues it otherwise).

    Raises ``LookupError`` for a kind no app registered.
    """
    registered = kind_get(kind)
    now = at or timezone.now()
    job = Job.objects.create(kind=kind, object_id=object_id, created_at=now, due_at=now)
    transaction.on_commit(partial(job_publish, job.pk, registered), robust=True)
    return job


def job_for(*, kind: str, object_id: int) -> Job | None:
    """The job of ``kind`` for ``object_id``, if one was recorded (and not yet purged)."""
    return Job.objects.filter(kind=kind, object_id=object_id).first()


# --- Running ---------------------------------------------------------------------------------


def _claimable(at: datetime) -> Q:
    """Due, not finished, and no attempt holding a live lease."""
    return Q(
        due_at__lte=at,
        done_at__isnull=True,
        given_up_at__isnull=True,
    ) & (Q(claimed_until__isnull=True) | Q(claimed_until__lte=at))


def job_run(*, job_id: int, at: datetime) -> bool:
    """Claim the job and run its kind's work; returns whether this call did it.

    Nothing happens if the job has gone, is finished, is not due yet, or an attempt holds its
    lease: duplicate deliveries are harmless. The claim is a compare-and-set on the attempt
    count, so of two runs at once only one proceeds. A failure is recorded and falls due
    again after the kind's delay (the sweep queues it then); the last allowed failure gives
    the job up. Runs outside any transaction: the kind's work has its own.
    """
    job = Job.objects.filter(_claimable(at), pk=job_id).first()
    if job is None:
        return False
    try:
        kind = kind_get(job.kind)
    except LookupError:
        # A worker older than the code that recorded the job: a newer one will run it.
        logger.error("Job %s is of a kind this worker does not know: %s", job.pk, job.kind)
        return False
    note = {}
    if job.claimed_until is not None:  # the previous attempt never reported back
        note = {"last_error": f"Attempt {job.attempts} stopped before it finished."}
        if job.attempts >= kind.max_attempts:
            _give_up(job, kind, reason=note["last_error"], at=at)
            return False
    claimed = Job.objects.filter(_claimable(at), pk=job.pk, attempts=job.attempts).update(
        attempts=F("attempts") + 1, claimed_until=at + kind.lease, published_at=None, **note
    )
    if not claimed:
        return False  # another run claimed it between the read and the update
    attempt = job.attempts + 1
    started = time.monotonic()
    try:
        kind.run(job.object_id)
    except Exception as error:
        finished = at + timedelta(seconds=time.monotonic() - started)
        _fail(job, kind, attempt=attempt, error=error, at=finished)
        return False
    finished = at + timedelta(seconds=time.monotonic() - started)
    Job.objects.filter(pk=job.pk, done_at__isnull=True).update(done_at=finished, claimed_until=None)
    return True


def _fail(job: Job, kind: Kind, *, attempt: int, error: Exception, at: datetime) -> None:
    reason = f"Attempt {attempt}: {type(error).__name__}: {error}"[:2000]
    logger.warning(
        "Job %s (%s %s) failed, attempt %s of %s",
        job.pk,
        job.kind,
        job.object_id,
        attempt,
        kind.max_attempts,
        exc_info=error,
    )
    if attempt >= kind.max_attempts:
        _give_up(job, kind, reason=reason, at=at)
        return
    # The sweep queues it again once due (so up to a minute later than the delay).
    Job.objects.filter(pk=job.pk, attempts=attempt, done_at__isnull=True).update(
        due_at=at + kind.retry_delay(attempt), claimed_until=None, last_error=reason
    )


def _give_up(job: Job, kind: Kind, *, reason: str, at: datetime) -> None:
    """Mark the job given up (once, by compare-and-set), then let its kind tell the user."""
    gave_up = Job.objects.filter(pk=job.pk, done_at__isnull=True, given_up_at__isnull=True).update(
        given_up_at=at, claimed_until=None, last_error=reason
    )
    if not gave_up:
        return
    logger.error("Gave up job %s (%s %s): %s", job.pk, job.kind, job.object_id, reason)
    if kind.give_up is not None:
        kind.give_up(job.object_id)


# --- The sweep -------------------------------------------------------------------------------


def jobs_sweep(*, at: datetime) -> int:
    """Publish the jobs due at ``at`` and not finished, whose lease is free or has run out and
    that were not published in the last ``REPUBLISH_AFTER``: at most ``SWEEP_BATCH``, oldest
    first. Stops at the first publish the broker refuses (the next sweep tries again).
    Returns how many were published. Safe to run twice at once: a job runs once however many
    copies are queued.
    """
    due = (
        Job.objects.filter(_claimable(at))
        .filter(Q(published_at__isnull=True) | Q(published_at__lte=at - REPUBLISH_AFTER))
        .order_by("due_at", "pk")
        .values_list("pk", "kind")[:SWEEP_BATCH]
    )
    published = 0
    for job_id, kind_name in due:
        try:
            kind = kind_get(kind_name)
        except LookupError:
            logger.error("Job %s is of a kind this process does not know: %s", job_id, kind_name)
            continue
        if not job_publish(job_id, kind):
            break
        published += 1
    return published


def jobs_purge(*, at: datetime) -> int:
    """Delete jobs done more than ``KEEP_DONE`` before ``at`` (at most ``PURGE_BATCH``).
    What they did is recorded on their rows (``LiveConcern.emailed_at``, an upload's
    status); given-up jobs are kept."""
    old = Job.objects.filter(done_at__lt=at - KEEP_DONE).values_list("pk", flat=True)
    deleted, _ = Job.objects.filter(pk__in=list(old[:PURGE_BATCH])).delete()
    return deleted
