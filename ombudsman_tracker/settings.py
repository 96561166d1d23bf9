"""Settings for Ombudsman Tracker, driven by environment variables.

With no variables set the app runs on an embedded default: a SQLite file and a filesystem
Celery broker under ``var/``, so a demo needs neither PostgreSQL nor Redis. Production
sets ``DATABASE_URL``, ``REDIS_URL``, ``SECRET_KEY`` and ``ALLOWED_HOSTS``; environments
differ by variables, never by code branches.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -----------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
# No production default: without DEBUG a missing SECRET_KEY stops the app from starting.
SECRET_KEY = env.str("SECRET_KEY") if not DEBUG else env.str("SECRET_KEY", default="demo-only")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")
COUNCIL_NAME = env.str("COUNCIL_NAME", default="Croydon Council")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "simple_history",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "axes",
    "organisations",
    "accounts",
    "deadlines",
    "recommendations",
    "audits",
    "plans",
    "learning",
    "remedies",
    "annual_review",
    "verdicts",
    "submissions",
    "reminders",
    "reports",
    "dashboard",
    "viewlog",
    "outbox",
    "health",
    "demo",
]

MIDDLEWARE = [
    # /health/live and /health/ready only, before the HTTPS redirect and the host check: Docker
    # asks over plain HTTP from inside the container (health.middleware says why that is safe).
    "health.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, whose static files keep their caching; every other response: no-store.
    "ombudsman_tracker.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Ends a session SESSION_ABSOLUTE_TIMEOUT after sign-in, before any other check on it.
    "accounts.middleware.SessionLifetimeMiddleware",
    # Those who need a second factor reach nothing but the steps to pass it (accounts.two_factor).
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Turns away a POST to a password page while LOCAL_PASSWORDS is off.
    "accounts.single_sign_on.LocalPasswordsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its own response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ombudsman_tracker.urls"
WSGI_APPLICATION = "ombudsman_tracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ombudsman_tracker.context_processors.service",
                "ombudsman_tracker.navigation.service_navigation",
                "accounts.context_processors.two_factor",
            ],
            # {% wide_table %} on every page without a {% load %}.
            "builtins": ["ombudsman_tracker.templatetags.wide_tables"],
            "libraries": {"pages": "ombudsman_tracker.templatetags.pages"},
        },
    },
]
FORM_RENDERER = "ombudsman_tracker.forms.GovukFormRenderer"

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# Each request reusing its process's connection saves opening one (about 7 ms a request on
# PostgreSQL); one found broken is replaced before use rather than failing the request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A server that does not answer costs a new connection five seconds, not a hung process.
    # A connect_timeout given in DATABASE_URL (?connect_timeout=N) wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- History --------------------------------------------------------------------------------
# Reasons quote what users wrote (an override's or a reopening's reason): never cut them short.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
# The admin's "revert" would save an old version around the services: history is read only.
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Authentication and sessions ------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# django-axes first, so a locked-out username and address is refused before any password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, obeying LOCAL_PASSWORDS (read on each sign-in).
    "accounts.single_sign_on.LocalPasswordBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},  # OWASP ASVS level 2 (2.1.1)
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# --- Two factors (django-otp) ---------------------------------------------------------------
# Security keys and passkeys are bound to the site's address (SITE_URL).
OTP_WEBAUTHN_RP_ID = urlsplit(SITE_URL).hostname
OTP_WEBAUTHN_RP_NAME = "Ombudsman Tracker"
OTP_WEBAUTHN_ALLOWED_ORIGINS = [SITE_URL]
# A key is a second factor after the password, never a sign-in on its own.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_TOTP_ISSUER = "Ombudsman Tracker"
# Off only for a demonstration or development: every page then says so.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=True)
# The roles that can read case data must pass a second factor; staff and superusers always.
TWO_FACTOR_REQUIRED_GROUPS = env.list(
    "TWO_FACTOR_REQUIRED_GROUPS",
    default=["Officers", "Auditors", "Committee clerks", "Managers", "Administrators"],
)

# Sessions end after this many seconds without a request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
# The idle timeout is renewed by saving the session at most once a minute, not on every request
# (a write a page): accounts.middleware.SessionLifetimeMiddleware. So a session ends between
# SESSION_IDLE_TIMEOUT minus SESSION_RENEW_AFTER and SESSION_IDLE_TIMEOUT after its last
# request: never later.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_AFTER = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# However busy, a session ends this many seconds after signing in (default 12 hours).
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=12 * 60 * 60)

# --- Sign-in throttling and password resets -------------------------------------------------
# django-axes refuses a username from the address it was tried from, after this many failed
# sign-ins (a success starts the count again), for this many hours (0.5: 30 minutes). The same
# address may still sign in as someone else; the admin's sign-in counts the same way.
AXES_FAILURE_LIMIT = env.int("SIGN_IN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = env.float("SIGN_IN_LOCKOUT_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts while locked do not push the end further away, so the time the page gives holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.throttling.locked_out_response"
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_address"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# accounts.lockouts registers axes' records in the admin under the project's rules instead.
AXES_ENABLE_ADMIN = False
# Reverse proxies in front of the app, each appending to X-Forwarded-For: the client address
# is read from that header only when this says how many there are (0: REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Password reset emails per hour, from one client address and to one email address; requests
# beyond them get the same page and no email.
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=5)
PASSWORD_RESET_LIMIT_PER_EMAIL = env.int("PASSWORD_RESET_LIMIT_PER_EMAIL", default=3)

# --- Single sign-on (OpenID Connect) --------------------------------------------------------
# Staff sign in with the council's identity provider (e.g. Microsoft Entra ID) once
# OIDC_RP_CLIENT_ID is set; the endpoints and issuer are then required (a missing one stops
# the app from starting). Accounts are matched by email, never created (accounts.single_sign_on).
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
_oidc_required = {} if OIDC_RP_CLIENT_ID else {"default": ""}
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", **_oidc_required)
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", **_oidc_required)
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", **_oidc_required)
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", **_oidc_required)
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", **_oidc_required)
# The ID token's "iss" must be exactly this (the discovery document's "issuer").
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", **_oidc_required)
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email")
OIDC_USE_PKCE = env.bool("OIDC_USE_PKCE", default=True)
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)  # seconds for each call to the provider
# Shown on the sign-in page's button ("Sign in with <name>") and in its messages.
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="your council account")
OIDC_CREATE_USER = False
OIDC_AUTHENTICATE_CLASS = "accounts.single_sign_on.SignInStartView"
OIDC_CALLBACK_CLASS = "accounts.single_sign_on.SignInCallbackView"
# The provider's "amr" claim stands for the app's own second factor only if this says so, and
# only for these methods (e.g. mfa,hwk,fido); otherwise two-factor sign-in follows as usual.
OIDC_AMR_COUNTS_AS_SECOND_FACTOR = env.bool("OIDC_AMR_COUNTS_AS_SECOND_FACTOR", default=False)
OIDC_ACCEPTED_AMR = env.list("OIDC_ACCEPTED_AMR", default=["mfa"])
if OIDC_RP_CLIENT_ID:
    AUTHENTICATION_BACKENDS = [
        *AUTHENTICATION_BACKENDS,
        "accounts.single_sign_on.SingleSignOnBackend",
    ]
# Off: the sign-in page shows only the provider's button, and password sign-in, reset and
# change are refused; superusers may still sign in to /admin/ with a password (break glass)
# only if LOCAL_PASSWORDS_SUPERUSERS_IN_ADMIN is on.
LOCAL_PASSWORDS = env.bool("LOCAL_PASSWORDS", default=True)
LOCAL_PASSWORDS_SUPERUSERS_IN_ADMIN = env.bool("LOCAL_PASSWORDS_SUPERUSERS_IN_ADMIN", default=False)

# --- Security -------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# The GOV.UK Frontend build (npm run build) writes to static/dist; nothing built is committed.
STATICFILES_DIRS = [BASE_DIR / "static" / "dist"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
EVIDENCE_MAX_UPLOAD_BYTES = env.int("EVIDENCE_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
EVIDENCE_ALLOWED_EXTENSIONS = env.list(
    "EVIDENCE_ALLOWED_EXTENSIONS",
    default=[
        "pdf",
        "docx",
        "doc",
        "xlsx",
        "xls",
        "odt",
        "ods",
        "csv",
        "txt",
        "png",
        "jpg",
        "eml",
        "msg",
    ],
)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Uploads: virus scan and retention (ombudsman_tracker/uploads.py, audits/uploads.py) ------
# ClamAV's daemon scans every upload when set: tcp://host:3310 or unix:///run/clamav/clamd.ctl.
# Set, an upload is refused while the daemon cannot give a verdict (fail closed); unset, none is
# scanned. clamd's StreamMaxLength must exceed the largest upload (the population's is 50MB).
CLAMAV_URL = env.str("CLAMAV_URL", default="")
CLAMAV_TIMEOUT = env.float("CLAMAV_TIMEOUT", default=30.0)
# A population or tracker file is deleted once imported or refused; an import still "in
# progress" this long after its upload (the worker died, or the queue was lost) is marked failed
# and its file deleted (ombudsman_tracker.kept_files).
UPLOAD_STALE_HOURS = env.int("UPLOAD_STALE_HOURS", default=6)

# --- Audits ---------------------------------------------------------------------------------
# A live concern (a child at risk now) must have a response within this many working days.
LIVE_CONCERN_RESPONSE_WORKING_DAYS = env.int("LIVE_CONCERN_RESPONSE_WORKING_DAYS", default=1)

# --- Learning programme ---------------------------------------------------------------------
# A personal link to acknowledge a learning point works for this many days from its email.
LEARNING_LINK_DAYS = env.int("LEARNING_LINK_DAYS", default=30)

# --- The Ombudsman's replies ----------------------------------------------------------------
# Days after the council sends the Ombudsman its evidence by which a reply is expected; after
# that, reminders chase it (the deadline of kind "The Ombudsman's reply to evidence sent").
OMBUDSMAN_REPLY_DAYS = env.int("OMBUDSMAN_REPLY_DAYS", default=28)

# --- Committee reports ----------------------------------------------------------------------
# A Word document whose styles (Title, Heading 1, Heading 2, List Bullet, Caption, Table Grid)
# the council's reports take; the built-in styles when unset.
REPORTS_DOCX_TEMPLATE = env.str("REPORTS_DOCX_TEMPLATE", default="") or None

# --- View log -------------------------------------------------------------------------------
# Who looked at what (viewlog) is kept this many days, then purged nightly. The default, six
# years, is a period councils commonly keep access logs of children's social care records
# for; it is only a default: set it to your council's retention schedule.
VIEW_LOG_RETENTION_DAYS = env.int("VIEW_LOG_RETENTION_DAYS", default=6 * 365)

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ombudsman-tracker@localhost")

# --- Celery ---------------------------------------------------------------------------------
# Redis when REDIS_URL (or CELERY_BROKER_URL) is set; otherwise kombu's filesystem transport,
# so the demo's reminders run for real without a broker server.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
# Nothing reads a task's result: the database records what each piece of work did (outbox).
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Bounded waits: a broker that is down or hung costs a request a few seconds, never a hung
# worker process. Queueing is a best effort (outbox.services): the sweep re-queues what is due.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# One attempt: on a hung Redis a retry reconnects and waits out the socket timeout twice more
# (6 s, not 2, measured by tests/faults); a connection dropped by a restart is mended by the
# Redis client itself, so a retry gains nothing there.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL == "filesystem://"
    else {
        "visibility_timeout": 3600,
        "socket_timeout": 2,
        "socket_connect_timeout": 2,
        "socket_keepalive": True,
        "health_check_interval": 25,
    }
)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
# Beat records that it is alive at least this often (health.scheduler).
CELERY_BEAT_SCHEDULER = "health.scheduler:HeartbeatScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 30
# Fixed schedule: the dispatcher selects everything due or overdue and not yet sent, so a
# missed run catches up at the next one.
CELERY_BEAT_SCHEDULE = {
    # Sends or re-queues background work that is due and not done (outbox.services).
    "sweep-outbox": {
        "task": "outbox.sweep",
        "schedule": 60.0,
    },
    "dispatch-reminders": {
        "task": "reminders.dispatch",
        "schedule": crontab(minute=env.str("REMINDER_DISPATCH_MINUTE", default="5")),
    },
    "send-reminder-digests": {
        "task": "reminders.send_digests",
        "schedule": crontab(hour=7, minute=30),
    },
    "purge-view-log": {
        "task": "viewlog.purge",
        "schedule": crontab(hour=3, minute=15),
    },
    "clean-population-uploads": {
        "task": "audits.clean_population_uploads",
        "schedule": crontab(minute=40),
    },
    "clean-tracker-uploads": {
        "task": "recommendations.clean_tracker_uploads",
        "schedule": crontab(minute=45),
    },
}

# --- Cache ----------------------------------------------------------------------------------
# Counts password reset requests (accounts.throttling). Redis when REDIS_URL is set, so every
# web process shares the counts; without it (the demo) each process keeps its own in memory.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A hung Redis costs a request two seconds, not a gunicorn timeout.
            "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Each line says which logger wrote it (django.request, django.security.csrf, an app's).
    "formatters": {"line": {"format": "%(levelname)s %(name)s: %(message)s"}},
    "filters": {
        "forbidden_on_one_line": {"()": "ombudsman_tracker.log_filters.ForbiddenOnOneLine"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Django's own console handler would print each line a second time.
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        # Every 403 as one line (user id, path, reason), not a PermissionDenied traceback.
        "django.request": {"filters": ["forbidden_on_one_line"]},
        "django.security.csrf": {"filters": ["forbidden_on_one_line"]},
        "weasyprint.progress": {"level": "WARNING"},  # a line per page otherwise
    },
}
