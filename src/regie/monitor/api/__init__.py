"""JSON API of the monitor: measures, observations and figures (``/api/v1/…``), read-only.

Tenancy as on the web pages: open data (no owner) for every logged-in user; a gemeente's own
measures and figures only for its beheerders, adviseurs and raadplegers (``STAFF_ROLES``).
``serializers`` describes the JSON (and so the OpenAPI schema); ``views`` are the endpoints.
"""
