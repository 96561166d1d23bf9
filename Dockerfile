# syntax=docker/dockerfile:1
# Production image: gunicorn serving the app, with the static files compressed and served by
# WhiteNoise. The same image runs the Celery worker and beat (docker-compose.yml).

# --- Front end: GOV.UK Frontend built into static/dist ----------------------------------------
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY static ./static
RUN npm run build

# --- Python packages, from the hashed lock ---------------------------------------------------
FROM python:3.11-slim-bookworm AS python-packages
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements-prod.lock ./
# Every package is pinned with its hashes: pip refuses anything else.
RUN /opt/venv/bin/pip install --require-hashes -r requirements-prod.lock

# --- The image that runs -----------------------------------------------------------------------
FROM python:3.11-slim-bookworm
# --- Committee reports (reports/pdf.py): WeasyPrint's libraries, fonts with Arial's metrics, and
# cairo for the action plan timeline's picture in Word (reports/docx.py, through CairoSVG)
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation libcairo2 \
    && rm -rf /var/lib/apt/lists/*
# --- End of committee reports
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin app
WORKDIR /app
COPY --from=python-packages /opt/venv /opt/venv
# The code stays owned by root, so the app cannot change it; only var/ is writable.
COPY . .
COPY --from=assets /src/static/dist ./static/dist
# Settings need a SECRET_KEY when DEBUG is off. This one exists for this command only: it is not
# an ENV, so it is not in the image, and nothing signed with it is kept.
RUN SECRET_KEY=collectstatic-only-not-a-secret python manage.py collectstatic --noinput \
    && mkdir -p var/media var/celery \
    && chown -R app:app var
USER app
EXPOSE 8000
CMD ["gunicorn", "ombudsman_tracker.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
