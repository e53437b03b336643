"""Django settings for Veiligheidsregie.

All configuration comes from environment variables (see ``docs/configuration.md``); a ``.env``
file in the project directory is read first when present. Defaults give a safe local demo on SQLite.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from regie import env

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent.parent
env.load_dotenv(PROJECT_DIR / ".env")

DEBUG = env.get_bool("REGIE_DEBUG", False)
VAR_DIR = Path(env.get_str("REGIE_VAR_DIR", str(PROJECT_DIR / "var")))

# Development-only default; `regie check --deploy` rejects it (security.W009).
_INSECURE_DEV_KEY = "django-insecure-development-key-change-me-" + "x" * 20
SECRET_KEY = env.get_str("REGIE_SECRET_KEY", _INSECURE_DEV_KEY)

ALLOWED_HOSTS = env.get_list("REGIE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.get_list("REGIE_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
    "regie.core",
    "regie.accounts",
    "regie.areas",
    "regie.monitor",
    "regie.veiligheidsbeeld",
    "regie.policy",
    "regie.programme",
    "regie.reports",
    "regie.privacy",
    "regie.cases",
    "regie.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "regie.core.uploads.RequestSizeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "regie.core.headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "regie.accounts.middleware.TwoFactorMiddleware",
    "regie.core.middleware.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "regie.urls"
WSGI_APPLICATION = "regie.wsgi.application"
ASGI_APPLICATION = "regie.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "regie.accounts.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
_default_sqlite = f"sqlite:///{VAR_DIR / 'regie.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env.get_str("DATABASE_URL", _default_sqlite), conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out client address
    "regie.accounts.backends.LoginThrottleBackend",  # refuses an account during its slow-down
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Roles that must use two-factor authentication (all roles that can see personal data).
REGIE_2FA_REQUIRED_ROLES = env.get_list(
    "REGIE_2FA_REQUIRED_ROLES",
    ["beheerder", "adviseur", "handhaver", "ketenpartner", "privacy_officer"],
)
OTP_TOTP_ISSUER = env.get_str("REGIE_OTP_ISSUER", "Veiligheidsregie")

# Password guessing (ADR 0004). Per account: after REGIE_LOCKOUT_FAILURES failed passwords within
# REGIE_LOCKOUT_MINUTES, each further attempt waits 2, 4, 8, … seconds (at most
# REGIE_LOGIN_MAX_DELAY_SECONDS) and is refused unseen during the wait; attempts from an address
# the account logged in from before wait in a lane of their own, and a browser with a valid
# known-device cookie (REGIE_KNOWN_DEVICE_DAYS, set after a complete login) does not wait at all
# (its failures count against REGIE_KNOWN_DEVICE_FAILURES). Per client address: after
# REGIE_LOCKOUT_ADDRESS_FAILURES failures over any usernames the address is slowed down the same
# way (regie.accounts.throttle). Per client address and username (django-axes): after
# REGIE_LOCKOUT_ADDRESS_NAME_FAILURES failed or refused attempts that pair is locked out for
# REGIE_LOCKOUT_MINUTES; other names at that address and that name elsewhere are not affected.
# The address is the one the trusted proxies saw (REGIE_PROXY_COUNT).
REGIE_LOCKOUT_FAILURES = env.get_int("REGIE_LOCKOUT_FAILURES", 5)
REGIE_LOCKOUT_MINUTES = env.get_int("REGIE_LOCKOUT_MINUTES", 15)
REGIE_LOGIN_MAX_DELAY_SECONDS = env.get_int("REGIE_LOGIN_MAX_DELAY_SECONDS", 60)
REGIE_LOCKOUT_ADDRESS_FAILURES = env.get_int("REGIE_LOCKOUT_ADDRESS_FAILURES", 30)
REGIE_LOCKOUT_ADDRESS_NAME_FAILURES = env.get_int("REGIE_LOCKOUT_ADDRESS_NAME_FAILURES", 20)
REGIE_KNOWN_DEVICE_DAYS = env.get_int("REGIE_KNOWN_DEVICE_DAYS", 90)
REGIE_KNOWN_DEVICE_FAILURES = env.get_int("REGIE_KNOWN_DEVICE_FAILURES", 3)
AXES_FAILURE_LIMIT = REGIE_LOCKOUT_ADDRESS_NAME_FAILURES
AXES_COOLOFF_TIME = REGIE_LOCKOUT_MINUTES / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_USERNAME_CALLABLE = "regie.accounts.throttle.axes_username"  # hashed, as the throttle
AXES_WHITELIST_CALLABLE = "regie.accounts.throttle.axes_whitelisted"  # a known device
AXES_CLIENT_IP_CALLABLE = "regie.core.audit.client_address"
# A success from the address does not clear its failures (an attacker's own account would), and
# attempts during a lock-out do not lengthen it.
AXES_RESET_ON_SUCCESS = False
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Sessions: expire after inactivity and when the browser closes.
SESSION_COOKIE_AGE = env.get_int("REGIE_SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
PASSWORD_RESET_TIMEOUT = 60 * 60  # one hour
# Reset mails per hour, per account and per client address (the page answers the same anyway).
REGIE_RESET_MAILS_PER_ACCOUNT = env.get_int("REGIE_RESET_MAILS_PER_ACCOUNT", 3)
REGIE_RESET_MAILS_PER_ADDRESS = env.get_int("REGIE_RESET_MAILS_PER_ADDRESS", 10)
# How long the link in an invitation to an organisation stays valid.
REGIE_INVITATION_DAYS = env.get_int("REGIE_INVITATION_DAYS", 7)
# How long the enrolment code that installation beheer hands over after clearing an account's
# second factor stays valid (ADR 0011).
REGIE_ENROLMENT_CODE_HOURS = env.get_int("REGIE_ENROLMENT_CODE_HOURS", 72)

# --- E-mail -------------------------------------------------------------------------------
EMAIL_BACKEND = env.get_str("REGIE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.get_str("REGIE_EMAIL_HOST", "localhost")
EMAIL_PORT = env.get_int("REGIE_EMAIL_PORT", 25)
EMAIL_HOST_USER = env.get_str("REGIE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env.get_str("REGIE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env.get_bool("REGIE_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env.get_str("REGIE_DEFAULT_FROM_EMAIL", "veiligheidsregie@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security headers -------------------------------------------------------------------------
_HTTPS = env.get_bool("REGIE_HTTPS", False)
SECURE_SSL_REDIRECT = _HTTPS
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SECURE_HSTS_SECONDS = env.get_int("REGIE_HSTS_SECONDS", 31536000 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _HTTPS
SECURE_HSTS_PRELOAD = _HTTPS
_BEHIND_PROXY = env.get_bool("REGIE_BEHIND_PROXY", False)
if _BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Reverse proxies in front of the site that append the client's address to X-Forwarded-For; the
# client address (audit log, login throttle) is read from that header only this many hops deep.
REGIE_PROXY_COUNT = env.get_int("REGIE_PROXY_COUNT", 1 if _BEHIND_PROXY else 0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
# Request bodies: the whole request (regie.core.uploads answers 413 above it; `regie serve` gives
# the same limit to waitress), form fields without files, and each uploaded file as it arrives.
REGIE_MAX_REQUEST_MB = env.get_int("REGIE_MAX_REQUEST_MB", 20)
REGIE_MAX_REQUEST_BYTES = REGIE_MAX_REQUEST_MB * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2.5 MB of form fields (files not counted)
FILE_UPLOAD_HANDLERS = [
    "regie.core.uploads.LimitedUploadHandler",  # stops a file once larger than its form allows
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
_NODE = PROJECT_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/utrecht-css", _NODE / "@utrecht" / "component-library-css" / "dist"),
    ("vendor/utrecht-tokens", _NODE / "@utrecht" / "design-tokens" / "dist"),
    ("vendor/htmx", _NODE / "htmx.org" / "dist"),
]
# The project's own style sheet comes first (``regie`` itself is not an installed app).
STATICFILES_DIRS = [("regie", PACKAGE_DIR / "static" / "regie")] + [
    (prefix, path) for prefix, path in STATICFILES_DIRS if path.is_dir()
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- Logging: no personal data (usernames, IP addresses, e-mail) in log lines ------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.get_str("REGIE_LOG_LEVEL", "INFO")},
    "loggers": {
        # axes logs usernames and IP addresses at INFO/WARNING; we keep those in the database only.
        "axes": {"level": "ERROR"},
        # WeasyPrint and fontTools narrate every step of a report's PDF at INFO
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "django.security": {"level": "WARNING"},
    },
}

# --- JSON API (/api/v1/, read-only; docs/api/openapi.yaml) -------------------------------------
REST_FRAMEWORK = {
    # An API token of one organisation (Authorization: Bearer, ADR 0017) or the web login
    # (with its second factor); no basic auth.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "regie.accounts.api_auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "regie.accounts.api_auth.TokenScope",
        "regie.core.api.ReadOnlyAuthenticated",
    ],
    "DEFAULT_THROTTLE_RATES": {"token": env.get_str("REGIE_API_TOKEN_RATE", "120/minute")},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "regie.core.api.Pagination",
    "PAGE_SIZE": 1000,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Veiligheidsregie API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "Read-only access to areas, measures and figures of Veiligheidsregie, and to the "
        "gemeenten's safety plans with their goals, indicators and computed statuses. Send an API "
        "token of one organisation (Authorization: Bearer <token>), or sign in through the web "
        "login (with the second factor) and use that session. Open data "
        "is visible to every user; a gemeente's own figures and plans only to its beheerders, "
        "adviseurs and raadplegers. Values are null when not published (never zero)."
    ),
    "SERVE_PERMISSIONS": ["regie.core.api.ReadOnlyAuthenticated"],
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Several models have a "status"/"state"/"kind": name each enum after its meaning.
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": ["achieved", "within_margin", "at_risk", "not_achieved", "no_measurement"],
        "StateEnum": "regie.policy.models.PlanState",
        "ActionStatusEnum": "regie.programme.models.ActionStatus",
        "ProgrammeStateEnum": "regie.programme.models.ProgrammeState",
        "ReportKindEnum": "regie.reports.models.ReportKind",
        "ReportStateEnum": "regie.reports.models.ReportState",
        "ReportFormatEnum": "regie.reports.models.ReportFormat",
        "SignalStatusEnum": "regie.cases.models.Status",
    },
    # Every operation documents its 403 (no verified session, or a write): regie.core.api.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "regie.core.api.document_refusal",
        "regie.accounts.api_auth.document_token_refusal",
    ],
}

CSRF_FAILURE_VIEW = "regie.core.views.csrf_failure"
REGIE_DJANGO_ADMIN = env.get_bool("REGIE_DJANGO_ADMIN", False)
# Whether `flush` may erase the append-only audit log on any database (tests only; not read from
# the environment). Otherwise only a demo database may be erased (regie.core.append_only).
REGIE_ALLOW_AUDIT_PURGE = False
# Results computed from figures (veiligheidsbeeld pages) are cached per data version
# (regie.monitor.cache); this bounds how long an entry lives.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "regie",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}
REGIE_CACHE_SECONDS = env.get_int("REGIE_CACHE_SECONDS", 600)
# Background jobs (checks, imports, periodic jobs; ADR 0016) wait in the database for `regie
# worker` (django-tasks with its database backend). REGIE_TASKS_EAGER runs them synchronously in
# the request instead (django_tasks' ImmediateBackend): tests, and installations without a worker.
REGIE_TASKS_EAGER = env.get_bool("REGIE_TASKS_EAGER", False)
_TASK_QUEUES = ["checks", "imports", "periodic", "reports"]
_IMMEDIATE_TASKS = {
    "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
    "QUEUES": _TASK_QUEUES,
}
TASKS = {
    "default": (
        _IMMEDIATE_TASKS
        if REGIE_TASKS_EAGER
        else {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": _TASK_QUEUES}
    ),
    # Used when REGIE_TASKS_EAGER is switched on at run time (tests): regie.core.jobs.backend().
    "immediate": _IMMEDIATE_TASKS,
}

# --- Privacy core (docs/privacy.md) ------------------------------------------------------------
# Field encryption keys: "id:base64key,…", newest first (the newest encrypts, all decrypt); the
# blind index key is a separate 32-byte key. Without them the keys file is read (`regie keys
# init` writes it; `make run` does for the demo). `regie check --deploy` requires both set here.
REGIE_ENCRYPTION_KEYS = env.get_str("REGIE_ENCRYPTION_KEYS", "")
REGIE_BLIND_INDEX_KEY = env.get_str("REGIE_BLIND_INDEX_KEY", "")
REGIE_KEYS_FILE = env.get_str("REGIE_KEYS_FILE", str(VAR_DIR / "privacy-keys.json"))
# Meldpunt: earlier signals on the same person, address, … count as hermelding within this window;
# a new signal's deadline in working days; the public form's limit per client address and hour.
REGIE_HERMELDING_WINDOW_DAYS = env.get_int("REGIE_HERMELDING_WINDOW_DAYS", 730)
REGIE_SIGNAL_DEADLINE_WORKING_DAYS = env.get_int("REGIE_SIGNAL_DEADLINE_WORKING_DAYS", 5)
REGIE_PUBLIC_FORM_PER_HOUR = env.get_int("REGIE_PUBLIC_FORM_PER_HOUR", 5)
# Retention: closed signals are destroyed this many years after closure (the default rule).
REGIE_RETENTION_CLOSED_YEARS = env.get_int("REGIE_RETENTION_CLOSED_YEARS", 5)
# PDOK Locatieserver (address lookup): empty = off, the typed address is used as it is.
REGIE_PDOK_LOCATIESERVER_URL = env.get_str("REGIE_PDOK_LOCATIESERVER_URL", "")
