"""sigma settings, read from the environment.

SIGMA_ENV chooses the mode: "development" (the default, what `make run` uses),
"test" (the test suite) or "production" (refuses to start without a real
secret key and serves only over HTTPS).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(name, default=False):
    """A yes/no setting; any other word stops the start, rather than a typo
    (DEBUG=ture) silently meaning "no"."""
    value = os.environ.get(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word not in TRUE_WORDS | FALSE_WORDS:
        raise ImproperlyConfigured(
            f"{name} must be one of {', '.join(sorted(TRUE_WORDS))} or {', '.join(sorted(FALSE_WORDS - {''}))}, "
            f"not {value!r}."
        )
    return word in TRUE_WORDS


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


SIGMA_ENV = env("SIGMA_ENV", "development")
if SIGMA_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(f"SIGMA_ENV must be development, test or production, not {SIGMA_ENV!r}.")
PRODUCTION = SIGMA_ENV == "production"

DEBUG = env_bool("DEBUG", default=SIGMA_ENV == "development")

_DEVELOPMENT_SECRET_KEY = "development-only-secret-key-never-use-in-production"
SECRET_KEY = env("SECRET_KEY", "" if PRODUCTION else _DEVELOPMENT_SECRET_KEY)
if PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY == _DEVELOPMENT_SECRET_KEY):
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 50 characters in production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")

# Links in e-mails are built from this address, never from the request's Host header.
SIGMA_BASE_URL = env("SIGMA_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
SIGMA_APP_NAME = "SIGMA"
# The Region's address for "problèmes de compte SIGMA" (guide, Contacts et
# assistance): it is told when a primary account gets blocked.
SIGMA_REGION_EMAIL = env("SIGMA_REGION_EMAIL", "sigma@laregion.fr")
# `make bench` only (bench/run.py): serves /bench/bare/, a constant through the
# whole middleware, as the framework's ceiling. Off unless set.
SIGMA_BENCH_VIEW = env_bool("SIGMA_BENCH_VIEW")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core",
    "organisations",
    "accounts",
    "audit",
    "dashboard",
    "region",
    "training",
    "outbox",
    "access_reviews",
    "demo",
    "django_tasks_db",
    "django_prometheus",
    "ops",
    "proconnect",
    "passkeys",
]

MIDDLEWARE = [
    # Request counts and latencies (django-prometheus): first and last, to time everything.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Before the rest, so that every log line of the request carries its id.
    "ops.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, so that static files stay cacheable.
    "core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether the session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    # Before SessionLifetimeMiddleware, which tells the user why they were logged out.
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "audit.context.AuditContextMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.middleware.TemporaryPasswordMiddleware",
    # After TemporaryPasswordMiddleware: a new password first, then the second factor.
    "accounts.middleware.SecondFactorMiddleware",
    # Inside SessionMiddleware: sigma's sign-out ends ProConnect's session too.
    "proconnect.middleware.ProConnectMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "0")),
    )
}
# PostgreSQL only: DATABASE_POOL=<n> keeps a pool of up to n connections per
# process (Django's psycopg pool, psycopg-pool is in the lock; needs
# DATABASE_CONN_MAX_AGE=0). Off by default; PgBouncer is the alternative.
if int(env("DATABASE_POOL", "0")):
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": int(env("DATABASE_POOL"))}
# Behind PgBouncer in transaction mode, .iterator() must not hold a cursor
# across transactions (the audit CSV export uses it).
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DATABASE_DISABLE_SERVER_SIDE_CURSORS")
# SQLite: a write-ahead log, so that readers never wait for a writer and a
# commit syncs one file instead of a rollback journal and the database (make
# bench: a login's two commits took 20 to 40 ms more without it).
# Transactions take the write lock when they begin (IMMEDIATE) and wait for it
# up to 20 s: a transaction that read and then writes while the e-mail worker
# or another process wrote would otherwise fail at once with "database is
# locked" rather than wait.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        init_command="PRAGMA journal_mode=WAL;", transaction_mode="IMMEDIATE", timeout=20
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Identifiants are unique regardless of case through a functional unique
# constraint, which this check does not see.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
AUTHENTICATION_BACKENDS = ["accounts.backends.AccountBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# The first hashes every new password; the others only read older hashes
# (Django's PBKDF2 default), which the next successful login rehashes with the first.
PASSWORD_HASHERS = ["accounts.hashers.Argon2idHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
if SIGMA_ENV == "test":
    # Argon2id costs tens of milliseconds per account the factories make; the
    # tests marked `argon2` (storage, cost, timing) get the list above back
    # (tests/conftest.py), so the real Argon2id is still what they check.
    ARGON2_PASSWORD_HASHERS = PASSWORD_HASHERS
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.password_validation.LengthAndCompositionValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("identifiant", "first_name", "last_name", "email")},
    },
]

# A one-time password link is valid for one hour after it is sent.
PASSWORD_LINK_MAX_AGE_SECONDS = 60 * 60
# Audit entries older than this are purged by `manage.py purge_audit` (RGPD).
AUDIT_RETENTION_DAYS = int(env("AUDIT_RETENTION_DAYS", "365"))
# "au-delà de 3 tentatives le compte est bloqué"
MAX_FAILED_LOGINS = 3
# Security-sensitive changes need an authentication this recent, else the
# password or a code is asked again (accounts/reauthentication.py).
REAUTHENTICATION_MAX_AGE_SECONDS = int(env("REAUTHENTICATION_MAX_AGE_SECONDS", str(10 * 60)))

# Two-factor authentication (accounts/two_factor.py). django-otp's own
# per-device delays are off: wrong codes count toward the lockout above.
OTP_TOTP_ISSUER = "SIGMA FP"
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

# Sessions end after this long without a request, and this long after login
# whatever the activity (accounts.middleware.SessionLifetimeMiddleware).
SESSION_IDLE_TIMEOUT_SECONDS = int(env("SESSION_IDLE_TIMEOUT_SECONDS", str(30 * 60)))
SESSION_ABSOLUTE_LIFETIME_SECONDS = int(env("SESSION_ABSOLUTE_LIFETIME_SECONDS", str(12 * 60 * 60)))
# The middleware enforces the limits; this only keeps cookies and stored
# sessions from lasting Django's default two weeks after their last save.
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIFETIME_SECONDS
# Django's database store, writing a login's session once (accounts/sessions.py).
SESSION_ENGINE = "accounts.sessions"

# Per-IP limits against automation (accounts/throttling.py), per window:
# failed logins whatever the account, and requests on each of the Génération de
# mot de passe page, the Identifiant oublié page and one-time links.
IP_THROTTLE_WINDOW_SECONDS = int(env("IP_THROTTLE_WINDOW_SECONDS", str(15 * 60)))
LOGIN_FAILURES_PER_IP = int(env("LOGIN_FAILURES_PER_IP", "20"))
ACCOUNT_RECOVERY_REQUESTS_PER_IP = int(env("ACCOUNT_RECOVERY_REQUESTS_PER_IP", "10"))

# The per-IP counters live in the cache, which every process must share: in
# production set REDIS_URL (and add the `redis` package). Without it each
# process keeps its own counters in memory.
if env("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("REDIS_URL"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sigma"}}

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Outside production, serve static files straight from the apps' folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# E-mail: SMTP when EMAIL_HOST is set, otherwise one .eml file per message in
# MAIL_FOLDER, listed at /dev/mail/ in development.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "SIGMA NePasRepondre <ne-pas-repondre@sigma.laregion.fr>")
MAIL_FOLDER = Path(env("MAIL_FOLDER", str(BASE_DIR / "var" / "mail")))
if env("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env("EMAIL_HOST"),
                "port": int(env("EMAIL_PORT", "25")),
                "username": env("EMAIL_HOST_USER", ""),
                "password": env("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS"),
                "use_ssl": env_bool("EMAIL_USE_SSL"),
                "timeout": int(env("EMAIL_TIMEOUT", "10")),
            },
        }
    }
elif PRODUCTION:
    raise ImproperlyConfigured("EMAIL_HOST must be set in production.")
else:
    MAILERS = {"default": {"BACKEND": "core.mail_backends.MailFolderBackend"}}
# Each primary account is invited to review its organisme's accounts this
# often (access_reviews); accounts without a login for ACCESS_REVIEW_UNUSED_DAYS
# are pointed out.
ACCESS_REVIEW_INTERVAL_DAYS = int(env("ACCESS_REVIEW_INTERVAL_DAYS", "182"))
ACCESS_REVIEW_UNUSED_DAYS = int(env("ACCESS_REVIEW_UNUSED_DAYS", "365"))

# E-mails go through the outbox (outbox/delivery.py): queued in the database
# with the change that causes them, delivered by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Waits between delivery attempts: from a minute to a day, about 46 hours in
# all, before an e-mail is shown to the Region as failed.
OUTBOX_RETRY_DELAYS_SECONDS = [60, 5 * 60, 15 * 60, 60 * 60, 3 * 60 * 60, 6 * 60 * 60, 12 * 60 * 60, 24 * 60 * 60]
# A worker that claimed an e-mail longer ago than this has died (an attempt
# takes at most a few SMTP timeouts); run_scheduled_jobs takes the e-mail back.
OUTBOX_CLAIM_LEASE_SECONDS = int(env("OUTBOX_CLAIM_LEASE_SECONDS", str(5 * 60)))
DEV_MAIL_VIEWER = DEBUG and MAILERS["default"]["BACKEND"] == "core.mail_backends.MailFolderBackend"

# ProConnect (the State's identity federation for professionals, proconnect/):
# off unless its three settings are given. Declare to ProConnect the redirect
# URI SIGMA_BASE_URL/proconnect/retour/ and the post-logout URI
# SIGMA_BASE_URL/proconnect/deconnexion/ (docs/deploy.md).
PROCONNECT_DISCOVERY_URL = env("PROCONNECT_DISCOVERY_URL", "")
PROCONNECT_CLIENT_ID = env("PROCONNECT_CLIENT_ID", "")
PROCONNECT_CLIENT_SECRET = env("PROCONNECT_CLIENT_SECRET", "")
# Each request to ProConnect gives up after this long: the sign-in then fails
# with a French page, and the password login is untouched.
PROCONNECT_TIMEOUT_SECONDS = float(env("PROCONNECT_TIMEOUT_SECONDS", "5"))
# Signatures accepted on ID tokens and userinfo, whatever the provider says.
PROCONNECT_SIGNING_ALGORITHMS = ["RS256", "ES256"]
# A demande d'accès not answered within this many days lapses.
PROCONNECT_ACCESS_REQUEST_DAYS = int(env("PROCONNECT_ACCESS_REQUEST_DAYS", "30"))

# Strict Content Security Policy: sigma serves no inline script or style.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# The __Host- prefix: browsers take these cookies only over HTTPS, for the
# whole site and from this host alone (no Domain), so neither a sibling
# subdomain nor a plain-HTTP network attacker can set or shadow them (cookie
# tossing, session fixation). Production's names, read by make bench too.
HOST_SESSION_COOKIE_NAME = "__Host-sigma-session"
HOST_CSRF_COOKIE_NAME = "__Host-sigma-csrf"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = HOST_SESSION_COOKIE_NAME
    CSRF_COOKIE_NAME = HOST_CSRF_COOKIE_NAME
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Probes and the metrics scraper talk to each server directly, over the private network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# /metrics answers only to `Authorization: Bearer <METRICS_TOKEN>`; unset, it is a 404.
METRICS_TOKEN = env("METRICS_TOKEN", "")

# One handler for every logger (ops/logs.py): JSON lines in production, text
# otherwise, each line with its request id, one-time link tokens redacted.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "ops.logs.RequestIdFilter"},
        "redact_secrets": {"()": "ops.logs.RedactSecretsFilter"},
    },
    "formatters": {
        "json": {"()": "ops.logs.json_formatter"},
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "redact_secrets"],
            "formatter": "json" if PRODUCTION else "text",
        }
    },
    # The test suite logs warnings and errors only: a line per request, formatted
    # and captured for each test, cost a tenth of its time. The tests of the logs
    # (tests/ops/conftest.py: captured_logs) lower the level themselves.
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING" if SIGMA_ENV == "test" else "INFO")},
    "loggers": {
        # Only through the handler above: Django's own would bypass the redaction.
        "django": {"handlers": [], "level": "NOTSET"},
        "django.server": {"handlers": [], "propagate": True},
        # SQL and its parameters (password hashes, session data, e-mail bodies)
        # never reach the logs, even with LOG_LEVEL=DEBUG.
        "django.db.backends": {"level": "INFO"},
        # Its debug lines dump whole template contexts: personal data, full URLs.
        "django.template": {"level": "INFO"},
    },
}
