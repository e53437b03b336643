"""The audit mechanism: every save and delete of a registered domain model writes an entry.

Apps register their models with :func:`register` (in ``AppConfig.ready``). The acting user comes
from a context variable that the web middleware and the CLI set (:func:`acting_as`). Reads of
personal data are recorded explicitly with :func:`regie.core.services.record_read`.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import decimal
import ipaddress
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save
from django.http import HttpRequest

from regie.core.models import AuditAction, AuditEntry, Organisation


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user (web) or a named system process (CLI, demo loader)."""

    user: Any | None
    label: str


_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("regie_actor", default=None)
_address: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "regie_client_address", default=None
)
_group: contextvars.ContextVar[uuid.UUID | None] = contextvars.ContextVar(
    "regie_audit_group", default=None
)


@dataclass(frozen=True)
class _Registration:
    exclude: frozenset[str]
    redact: frozenset[str]
    organisation: Callable[[Any], Organisation | None]


_registry: dict[type[models.Model], _Registration] = {}


def register(
    model: type[models.Model],
    *,
    organisation: Callable[[Any], Organisation | None] = lambda obj: None,
    exclude: tuple[str, ...] = (),
    redact: tuple[str, ...] = (),
) -> None:
    """Audit every change of ``model``.

    ``organisation`` tells which tenant an object belongs to (its beheerders see the entry);
    ``exclude`` lists fields whose changes are noise (``last_login``); ``redact`` lists fields whose
    value must never be written to the log (password hashes): the entry says only that they changed.
    """
    _registry[model] = _Registration(frozenset(exclude), frozenset(redact), organisation)


def registered_models() -> list[type[models.Model]]:
    return list(_registry)


_exempt: dict[type[models.Model], str] = {}


def exempt(model: type[models.Model], *, reason: str) -> None:
    """Say why changes of ``model`` are not audited row by row (a test asks every model of the
    domain apps to be registered or exempted with a reason)."""
    if not reason.strip():
        raise ValueError("an exemption from the audit log needs a reason")
    _exempt[model] = reason


def exempted_models() -> dict[type[models.Model], str]:
    return dict(_exempt)


def current_actor() -> Actor | None:
    return _actor.get()


def current_group() -> uuid.UUID | None:
    return _group.get()


@contextlib.contextmanager
def grouped(*, separate: bool = False) -> Iterator[uuid.UUID]:
    """Entries written inside the block are one action of a person or process: they share a
    ``group`` (the audit pages show them as one entry with its details). A block inside another
    joins the outer group, so a request, a command or a service call is one group whatever it
    calls. :func:`acting_as` and :func:`from_address` (the request's middleware) open one.
    ``separate=True`` starts a group of its own even inside another: for entries that must not
    be linked to the rest of the request (an anonymous answer to an invitation)."""
    current = _group.get()
    if current is not None and not separate:
        yield current
        return
    group = uuid.uuid4()
    token = _group.set(group)
    try:
        yield group
    finally:
        _group.reset(token)


@contextlib.contextmanager
def acting_as(user: Any | None, label: str | None = None) -> Iterator[None]:
    """Attribute audit entries written inside the block to ``user`` (or a system ``label``);
    they form one group (:func:`grouped`) unless the block is inside one already."""
    name = label or (user.get_username() if user is not None else "systeem")
    token = _actor.set(Actor(user=user, label=name))
    try:
        with grouped():
            yield
    finally:
        _actor.reset(token)


def _valid_address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """The address of the client, as the trusted reverse proxies saw it.

    Without proxies (``REGIE_PROXY_COUNT`` = 0) it is the socket's peer. Behind N proxies that
    each append to ``X-Forwarded-For``, it is the N-th entry from the right: entries further left
    were written by the client itself and can be anything. One home for this rule: the audit log,
    the login throttle and the reset-mail limit all call it.
    """
    remote = _valid_address(str(request.META.get("REMOTE_ADDR", "")))
    hops = int(getattr(settings, "REGIE_PROXY_COUNT", 0))
    if hops <= 0:
        return remote
    header = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    forwarded = [part.strip() for part in header.split(",") if part.strip()]
    if len(forwarded) < hops:
        return remote
    return _valid_address(forwarded[-hops]) or remote


def current_address() -> str | None:
    return _address.get()


@contextlib.contextmanager
def from_address(address: str | None) -> Iterator[None]:
    """Attribute audit entries written inside the block to a request from ``address``; the
    request's entries form one group (:func:`grouped`)."""
    token = _address.set(address)
    try:
        with grouped():
            yield
    finally:
        _address.reset(token)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def snapshot(obj: models.Model, reg: _Registration | None = None) -> dict[str, Any]:
    """The audited fields of ``obj`` as JSON-safe values (foreign keys by id)."""
    reg = reg or _registry.get(type(obj)) or _Registration(frozenset(), frozenset(), lambda o: None)
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        name = field.attname
        if field.name in reg.exclude or field.name == "lock_version":
            continue
        value = getattr(obj, name)
        if field.name in reg.redact:
            value = "••••" if value else ""
        data[field.name] = _jsonable(value)
    return data


def write_entry(
    *,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    organisation: Organisation | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    purpose: str = "",
    actor: Actor | None = None,
    client_address: str | None = None,
) -> AuditEntry:
    actor = actor or current_actor() or Actor(user=None, label="systeem")
    address = client_address or current_address()
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:300]
    user = actor.user if actor.user is not None and actor.user.pk is not None else None
    return AuditEntry.objects.create(
        actor=user,
        actor_label=actor.label[:200],
        organisation=organisation,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:300],
        before=before,
        after=after,
        purpose=purpose[:300],
        client_address=address,
        group=current_group(),
    )


def _pre_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    reg = _registry.get(sender)
    if reg is None or kwargs.get("raw"):
        return
    before = None
    if instance.pk is not None:
        old = sender._default_manager.filter(pk=instance.pk).first()
        before = snapshot(old, reg) if old is not None else None
    instance._audit_before = before  # type: ignore[attr-defined]


def _post_save(
    sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any
) -> None:
    reg = _registry.get(sender)
    if reg is None or kwargs.get("raw"):
        return
    before = getattr(instance, "_audit_before", None)
    after = snapshot(instance, reg)
    if not created and before == after:
        return  # only excluded fields (e.g. last_login) changed
    write_entry(
        action=AuditAction.CREATE if created or before is None else AuditAction.UPDATE,
        obj=instance,
        organisation=reg.organisation(instance),
        before=None if created else before,
        after=after,
    )


def _post_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    reg = _registry.get(sender)
    if reg is None:
        return
    write_entry(
        action=AuditAction.DELETE,
        obj=instance,
        organisation=reg.organisation(instance),
        before=snapshot(instance, reg),
    )


def connect_signals() -> None:
    pre_save.connect(_pre_save, dispatch_uid="regie-audit-pre-save")
    post_save.connect(_post_save, dispatch_uid="regie-audit-post-save")
    post_delete.connect(_post_delete, dispatch_uid="regie-audit-post-delete")
