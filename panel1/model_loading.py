"""Model instances made from database rows without `Model.__init__`.

Every row a queryset reads becomes an instance through `Model.from_db`, which calls
`Model.__init__`: a walk over all concrete fields with a descriptor call per value, two
signals (pre_init, post_init) and the deferred-field bookkeeping, about 10 microseconds per
instance. A list of 50 tickets makes some 200 instances (each ticket with its requester,
assignee and SLA state), the desk's pages more. For models whose fields are plain (Django's
own attribute descriptors) and that nobody listens to at init, `FastLoad.from_db` fills the
instance's `__dict__` with the row's values as `__init__` would have set them, and marks it
loaded from `db`, as `from_db` does; the rest falls back to Django's.
"""

from __future__ import annotations

import inspect

from django.db.models import Model
from django.db.models.base import DEFERRED, ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from django.dispatch.dispatcher import NO_RECEIVERS

# Descriptors that store the value in the instance's __dict__ and do nothing else on a fresh
# instance (ForeignKeyDeferredAttribute.__set__ only also clears a cached related object).
_PLAIN = (DeferredAttribute, ForeignKeyDeferredAttribute)


class FastLoad:
    """Mixin for models read in bulk (put it before `models.Model`)."""

    @classmethod
    def from_db(cls, db, field_names, values):
        if not _plain(cls) or _init_listened(cls):
            return super().from_db(db, field_names, values)
        new = cls.__new__(cls)
        stored = new.__dict__
        for name, value in zip(field_names, values, strict=True):
            if value is not DEFERRED:
                stored[name] = value
        state = new._state = ModelState()
        state.adding = False
        state.db = db
        return new


def _init_listened(cls: type[Model]) -> bool:
    """Whether a receiver listens to `cls`'s pre_init or post_init: from the signals' own
    per-sender cache when it says none (as `Signal.send` checks it; `has_listeners` builds
    lists to answer, a few microseconds per row), else from `has_listeners`, which fills it.
    Connecting or disconnecting a receiver clears that cache."""
    for signal in (pre_init, post_init):
        if signal.sender_receivers_cache.get(cls) is not NO_RECEIVERS and signal.has_listeners(cls):
            return True
    return False


_checked: dict[type, bool] = {}


def _plain(cls: type[Model]) -> bool:
    """`cls` sets nothing in `__init__` but its fields' values: no `__init__` of its own and
    only Django's plain attribute descriptors for its concrete fields."""
    found = _checked.get(cls)
    if found is None:
        found = _checked[cls] = cls.__init__ is Model.__init__ and all(
            field.descriptor_class in _PLAIN
            and type(inspect.getattr_static(cls, field.attname, None)) is field.descriptor_class
            for field in cls._meta.concrete_fields
        )
    return found
