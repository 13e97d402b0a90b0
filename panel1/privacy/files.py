"""Deleting stored files only once the erasure's transaction has committed (a rollback must
not lose files whose rows are still there), in the tenant's storage prefix."""

from __future__ import annotations

import logging

from django.db import connection, transaction
from django_tenants.utils import schema_context

logger = logging.getLogger(__name__)


def delete_after_commit(fieldfile) -> None:
    """Remove `fieldfile` from its storage after commit; a file already gone is fine."""
    if not fieldfile or not fieldfile.name:
        return
    storage, name, schema = fieldfile.storage, fieldfile.name, connection.schema_name

    def _delete():
        with schema_context(schema):
            try:
                storage.delete(name)
            except OSError:
                logger.exception("Could not delete %s in %s", name, schema)

    transaction.on_commit(_delete)
