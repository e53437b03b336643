"""The product's settings plus the benchmark's bare view and its server-time middleware."""

from regie.settings import *  # noqa: F403 - the benchmark serves the product unchanged
from regie.settings import MIDDLEWARE

ROOT_URLCONF = "loadsite.urls"
# Outermost, so the measured time covers every middleware of the product.
MIDDLEWARE = ["loadsite.timing.ServerTimingMiddleware", *MIDDLEWARE]
