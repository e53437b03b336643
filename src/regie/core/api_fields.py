"""Serializer pieces every app's API uses: numbers as the pages mean them, and ``{"detail": …}``."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from regie.core.formats import json_number


class NumberField(serializers.FloatField):
    """A value: an integer when whole (1245, not 1245.0), null when not published (never 0)."""

    def to_representation(self, value: Any) -> Any:
        return json_number(value)


class ErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
