"""The client address comes from X-Forwarded-For only as deep as the trusted proxies reach."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from regie.core import audit
from regie.core.models import AuditAction, AuditEntry


def _request(remote: str, forwarded: str | None = None) -> Any:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_proxies_the_header_is_ignored(settings: Any) -> None:
    settings.REGIE_PROXY_COUNT = 0
    assert audit.client_address(_request("192.0.2.7", "203.0.113.9")) == "192.0.2.7"


def test_behind_one_proxy_the_rightmost_entry_is_the_client(settings: Any) -> None:
    settings.REGIE_PROXY_COUNT = 1
    # The client sent a forged first entry; the proxy appended the address it really saw.
    request = _request("10.0.0.1", "198.51.100.66, 203.0.113.9")
    assert audit.client_address(request) == "203.0.113.9"


def test_behind_two_proxies_the_second_entry_from_the_right(settings: Any) -> None:
    settings.REGIE_PROXY_COUNT = 2
    request = _request("10.0.0.2", "198.51.100.66, 203.0.113.9, 10.0.0.1")
    assert audit.client_address(request) == "203.0.113.9"


@pytest.mark.parametrize("header", ["", "not-an-address", " , "])
def test_a_missing_or_garbled_header_falls_back_to_the_peer(settings: Any, header: str) -> None:
    settings.REGIE_PROXY_COUNT = 1
    assert audit.client_address(_request("10.0.0.1", header)) == "10.0.0.1"


@pytest.mark.django_db
def test_audit_entries_of_a_request_carry_its_client_address(settings: Any, client: Any) -> None:
    settings.REGIE_PROXY_COUNT = 1
    client.post(
        "/account/inloggen/",
        {"username": "nobody", "password": "wrong-password-123"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    entry = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).first()
    assert entry is not None
    assert entry.client_address == "203.0.113.9"
