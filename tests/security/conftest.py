"""Fixtures the attack tests share with the permission matrix (the same small world)."""

from tests.test_permission_matrix import world  # noqa: F401 - fixture, used by name
