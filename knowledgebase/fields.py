"""A PostgreSQL ``regconfig`` column (a text search configuration such as ``english``).

The search vector is a stored generated column, and PostgreSQL only accepts immutable
expressions there: ``to_tsvector(regconfig, text)`` is immutable, but a cast from text to
``regconfig`` is not. So the per-article configuration is stored with the ``regconfig`` type
itself and values are cast when written.
"""

from django.db import models


class RegConfigField(models.CharField):
    description = "PostgreSQL text search configuration"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 63)  # NAMEDATALEN - 1
        super().__init__(*args, **kwargs)

    def db_type(self, connection):
        return "regconfig"

    def get_placeholder(self, value, compiler, connection):
        return "%s::regconfig"


@RegConfigField.register_lookup
class RegConfigExact(models.lookups.Exact):
    # regconfig has no = of its own: without the cast PostgreSQL compares OIDs and reads
    # 'english' as a number.
    def get_rhs_op(self, connection, rhs):
        return f"= ({rhs})::regconfig"
