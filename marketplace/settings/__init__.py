"""Settings, read from the environment only (see the README's configuration table).

With no environment at all this is the embedded default: SQLite, local memory cache, a Celery
broker on the filesystem, the offline geocoder, console email, pay at pickup.
"""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _
from oscar.defaults import *  # noqa: F403

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-dev-key-change-me-in-production-0123456789")
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.humanize",
    "oscar.config.Shop",
    "oscar.apps.analytics.apps.AnalyticsConfig",
    "marketplace.checkout.apps.CheckoutConfig",
    "oscar.apps.address.apps.AddressConfig",
    "marketplace.shipping.apps.ShippingConfig",
    "oscar.apps.catalogue.apps.CatalogueConfig",
    "oscar.apps.catalogue.reviews.apps.CatalogueReviewsConfig",
    "oscar.apps.communication.apps.CommunicationConfig",
    "marketplace.partner.apps.PartnerConfig",
    "oscar.apps.basket.apps.BasketConfig",
    "oscar.apps.payment.apps.PaymentConfig",
    "oscar.apps.offer.apps.OfferConfig",
    "oscar.apps.order.apps.OrderConfig",
    "oscar.apps.customer.apps.CustomerConfig",
    "marketplace.search.apps.SearchConfig",
    "oscar.apps.voucher.apps.VoucherConfig",
    "oscar.apps.wishlists.apps.WishlistsConfig",
    "oscar.apps.dashboard.apps.DashboardConfig",
    "oscar.apps.dashboard.reports.apps.ReportsDashboardConfig",
    "oscar.apps.dashboard.users.apps.UsersDashboardConfig",
    "oscar.apps.dashboard.orders.apps.OrdersDashboardConfig",
    "oscar.apps.dashboard.catalogue.apps.CatalogueDashboardConfig",
    "oscar.apps.dashboard.offers.apps.OffersDashboardConfig",
    "oscar.apps.dashboard.partners.apps.PartnersDashboardConfig",
    "oscar.apps.dashboard.pages.apps.PagesDashboardConfig",
    "oscar.apps.dashboard.ranges.apps.RangesDashboardConfig",
    "oscar.apps.dashboard.reviews.apps.ReviewsDashboardConfig",
    "oscar.apps.dashboard.vouchers.apps.VouchersDashboardConfig",
    "oscar.apps.dashboard.communications.apps.CommunicationsDashboardConfig",
    "oscar.apps.dashboard.shipping.apps.ShippingDashboardConfig",
    "widget_tweaks",
    "haystack",
    "treebeard",
    "django_tables2",
    # Sign-in failures counted per account and per address (marketplace.members.sign_in_limits).
    "axes",
    # After Oscar's apps: MarketplaceConfig.ready() adjusts their signal receivers.
    "marketplace",
    "marketplace.core",
    "marketplace.members",
    "producers",
    "baskets",
    "deliveries",
    # Money: payment plans, manual payments, the ledger (Oscar's own app is "payment").
    "marketplace.payments",
    # Solidarity pricing: funds, tiers, rate reviews (above payments: the fund pays producers).
    "marketplace.solidarity",
]

# Forks that change no model keep Oscar's own migrations (django-oscar#3579, #4436).
MIGRATION_MODULES = {
    "partner": "oscar.apps.partner.migrations",
    "shipping": "oscar.apps.shipping.migrations",
}

SITE_ID = 1

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A NUL character in the URL or a form: 400, before PostgreSQL makes a 500 of it.
    "marketplace.core.malformed_input.RefuseNulCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Forgets the pickup lists kept offline on a phone once its session changes hands.
    "deliveries.distribution.offline.OfflinePickupListMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "oscar.apps.basket.middleware.BasketMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
    # Last: turns a locked-out sign-in into the "too many attempts" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "marketplace.urls"
WSGI_APPLICATION = "marketplace.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # Oscar's search_form and notifications processors are left out: our layout
                # has its own search box and shows no notification count (one query a page).
                "oscar.apps.checkout.context_processors.checkout",
                "oscar.core.context_processors.metadata",
                "marketplace.context_processors.site_roles",
            ],
        },
    },
]

# Database: SQLite in WAL mode with immediate transactions unless DATABASE_URL says otherwise.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL is a property of the file; the other pragmas are per connection, kept open a minute.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# The cache may live in its own Redis database, so that clearing it never touches the queues.
REDIS_CACHE_URL = os.environ.get("REDIS_CACHE_URL", REDIS_URL)
if REDIS_CACHE_URL:
    CACHES = {
        "default": {
            # Redis down: reads miss and writes are dropped, pages come from the database.
            "BACKEND": "marketplace.core.cache.TolerantRedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "cc"),
        }
    }
else:
    # Capped: each process keeps at most this many entries (pages of 30–60 KB), dropping a third
    # of them, the least recently used, when full.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "1000"))},
        }
    }
# Sessions in the database, read through Redis when the cache is Redis (shared by every process;
# a copy that may have gone stale while Redis was away is removed when it answers again:
# marketplace.core.cache); without Redis, from the database alone: each process's local memory
# would keep a session another process signed out.
SESSION_ENGINE = (
    "marketplace.core.sessions.cached_db" if REDIS_CACHE_URL else "marketplace.core.sessions.db"
)
# What a page shows of the visitor (their header): a signed-in member's whole page is cached
# under it (marketplace.core.page_cache, which cannot import the header).
PAGE_CACHE_PERSON = "marketplace.templatetags.site_tags.person_on_page"

AUTHENTICATION_BACKENDS = (
    # First: refuses every password while an account or an address is locked out.
    "axes.backends.AxesStandaloneBackend",
    "oscar.apps.customer.auth_backends.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
)
# Members' phone, shown and edited on Oscar's profile pages (marketplace.members).
AUTH_PROFILE_MODULE = "members.MemberProfile"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_REDIRECT_URL = "/"
# Wrong passwords (django-axes, counted in the database): an account is locked after
# AXES_FAILURE_LIMIT in a row, an address (an AMAP's shared wifi) after
# SIGN_IN_ADDRESS_FAILURE_LIMIT, each for AXES_COOLOFF_TIME after the last failure.
AXES_FAILURE_LIMIT = int(os.environ.get("SIGN_IN_ACCOUNT_FAILURE_LIMIT", "5"))
SIGN_IN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("SIGN_IN_ADDRESS_FAILURE_LIMIT", "30"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SIGN_IN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_HANDLER = "marketplace.members.sign_in_limits.AccountAndAddressHandler"
# Oscar's sign-in passes the email as authenticate()'s "username"; counted lower-cased.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "marketplace.members.sign_in_limits.attempted_email"
AXES_CLIENT_IP_CALLABLE = "marketplace.core.client_address.client_address"
AXES_LOCKOUT_CALLABLE = "marketplace.members.views.locked_out"
# Tries during a lockout change nothing: the wait the page announces stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Successful sign-ins are not recorded (no log of members' addresses and browsers).
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# Behind N reverse proxies that each append to X-Forwarded-For, the visitor's address is the
# N-th from its end; 0: REMOTE_ADDR, and the header (which anyone can send) is ignored.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
# Product photos are resized when uploaded; larger files are refused before they are read.
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
MAX_PHOTO_BYTES = int(os.environ.get("MAX_PHOTO_BYTES", 5 * 1024 * 1024))
# Pixels, checked before a photo is decoded: 30 million takes the 24–26 megapixel photos of a
# camera and costs about 100 MB to resize; decoded, a 400 KB PNG of 12,000 × 12,000 took 1.6 GB.
MAX_PHOTO_PIXELS = int(os.environ.get("MAX_PHOTO_PIXELS", 30_000_000))

# Email: console unless an SMTP host is given.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
# The site's address as members reach it, for links in emails; `PORT=8811 make run` links there.
SITE_URL = os.environ.get(
    "SITE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '').strip() or '8000'}"
).rstrip("/")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Circuit court <bonjour@localhost>")
OSCAR_FROM_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport under var/.
CELERY_BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
    CELERY_VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "300"))
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {
        # A task taken by a worker that died is handed out again after this many seconds (kombu's
        # default is an hour); every task must finish well within it (CELERY_TASK_TIME_LIMIT).
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
        # ...by the first live worker that looks: each looks every tenth of the timeout (1 to
        # 10 s, one small Redis query), not kombu's 100 s (10 s × a throttle of 10), which
        # added up to 100 s to the timeout (tests/integration/test_worker_killed.py).
        "unacked_restore_interval": max(1, min(10, CELERY_VISIBILITY_TIMEOUT // 10)),
        "unacked_restore_throttle": 1,
        # Publishing to a broker that is down fails in seconds, not minutes: the outbox keeps
        # the task (marketplace/core/outbox.py).
        "socket_connect_timeout": 2,
        "socket_timeout": 10,
    }
else:
    for sub in ("out", "processed", "control"):
        (CELERY_BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "out"),
        "data_folder_out": str(CELERY_BROKER_DIR / "out"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Well within the visibility timeout, so a slow task is never handed to a second worker.
CELERY_TASK_TIME_LIMIT = 150
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Geocoding (used from the pickup-points issue on; producers are placed with it already).
GEOCODER = os.environ.get("GEOCODER", "offline")
GEOCODER_USER_AGENT = os.environ.get("GEOCODER_USER_AGENT", "circuit-court")
GEOCODER_BAN_URL = os.environ.get("GEOCODER_BAN_URL", "")
# Pickup points are located by a Celery task: how long one request may take, and how many
# requests a worker sends (BAN allows 50 per second per IP address, Nominatim's policy 1).
GEOCODER_TIMEOUT = float(os.environ.get("GEOCODER_TIMEOUT", "5"))
GEOCODER_RATE_LIMIT = os.environ.get(
    "GEOCODER_RATE_LIMIT", "1/s" if GEOCODER == "nominatim" else "40/s"
)
# The finder asks the geocoder for addresses (never for towns or postcodes: the gazetteer
# knows them) inside the visitor's request: a short wait, no retry, and a few per visitor.
FINDER_GEOCODER_TIMEOUT = float(os.environ.get("FINDER_GEOCODER_TIMEOUT", "3"))
FINDER_ADDRESS_SEARCHES_PER_MINUTE = int(os.environ.get("FINDER_ADDRESS_SEARCHES_PER_MINUTE", "10"))
# The finder's map: tiles are fetched by the visitor's browser; empty = markers on a blank map.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors")

# Stripe (marketplace/payments/gateway.py is the only module that talks to it). Without both keys
# card and SEPA debit are hidden and the manual methods (cheques, cash, transfers) remain.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
# Empty: Stripe's own API; a localstripe address for the demo and the tests.
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
# Stripe.js comes from Stripe (its terms forbid a vendored copy); localstripe serves a fake one
# at <its address>/js.stripe.com/v3/. The Content-Security-Policy allows this origin, and the
# API's, only while the keys are set (marketplace/core/security_headers.py).
STRIPE_JS_URL = os.environ.get("STRIPE_JS_URL", "https://js.stripe.com/v3/")
# Seconds one call to Stripe may take (it is retried twice, under the same idempotency key).
STRIPE_TIMEOUT = float(os.environ.get("STRIPE_TIMEOUT", "10"))
# The platform's share of each payment, in percent, kept as an application fee when above zero:
# the rest lands on the producer's own Stripe account.
PLATFORM_FEE_PERCENT = Decimal(os.environ.get("PLATFORM_FEE_PERCENT", "0"))

# Oscar
OSCAR_SHOP_NAME = os.environ.get("SHOP_NAME", "Circuit court")
OSCAR_SHOP_TAGLINE = _("Local producers and AMAPs")
OSCAR_DEFAULT_CURRENCY = "EUR"
OSCAR_HOMEPAGE = "/"
OSCAR_ALLOW_ANON_CHECKOUT = False
# Product reviews are off (issue 14: Oscar's defaults published anonymous ones at once): their
# URLs answer 404 (marketplace/urls.py); should they come back, members only, moderated.
OSCAR_ALLOW_ANON_REVIEWS = False
OSCAR_MODERATE_REVIEWS = True
OSCAR_PRODUCTS_PER_PAGE = int(os.environ.get("PRODUCTS_PER_PAGE", "24"))
OSCAR_THUMBNAILER = "marketplace.core.images.UploadSizedThumbnailer"
OSCAR_MISSING_IMAGE_URL = "placeholder.svg"
OSCAR_EAGER_ALERTS = False
OSCAR_SEND_REGISTRATION_EMAIL = False
OSCAR_REQUIRED_ADDRESS_FIELDS = ("first_name", "last_name", "line1", "line4", "postcode")
OSCAR_DASHBOARD_NAVIGATION = OSCAR_DASHBOARD_NAVIGATION  # noqa: F405
# Order and line statuses (codes; the pages show them translated, see producers.models).
OSCAR_INITIAL_ORDER_STATUS = "pending"
OSCAR_INITIAL_LINE_STATUS = "pending"
OSCAR_ORDER_STATUS_PIPELINE = {
    "pending": ("complete", "cancelled"),
    "complete": (),
    "cancelled": (),
}
OSCAR_LINE_STATUS_PIPELINE = {
    "pending": ("prepared", "cancelled"),
    "prepared": ("pending", "cancelled"),
    "cancelled": (),
}
DEFAULT_VAT_RATE = Decimal(os.environ.get("DEFAULT_VAT_RATE", "5.5"))

HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
# Catalogue pages read the database directly (marketplace.search); nothing to index.
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"

# No email address, searched address or position in the logs (marketplace/core/log_redaction.py);
# runserver's request lines too go through it, without their query strings.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "marketplace.core.log_redaction.RedactPersonalData"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"django.server": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
