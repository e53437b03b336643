"""JSON API of the policy app: plans, goals, indicators and their statuses (``/api/v1/…``).

Read-only, and never open data: a plan and everything under it is visible only to the
beheerders, adviseurs and raadplegers (``STAFF_ROLES``) of its gemeente; anyone else gets 404,
so another gemeente's plan is not even confirmed to exist. Statuses are computed on read
(:mod:`regie.policy.status`), in a fixed number of queries however many indicators a plan has.
``serializers`` describes the JSON (and so the OpenAPI schema); ``views`` are the endpoints.
"""
