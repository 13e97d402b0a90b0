"""Addresses are matched case-insensitively everywhere (sign-in, mail ingest, customer
look-ups): the index on UPPER(email) must match the SQL Django's `iexact` sends, or every
look-up reads all of a tenant's users."""

from __future__ import annotations

from django.db import connection, transaction

from panel1.accounts.models import User
from tests.factories import CustomerFactory


def test_a_case_insensitive_email_lookup_reads_the_upper_email_index(tenant):
    CustomerFactory(email="Mixed.Case@Customer.test")
    lookup = User.objects.filter(email__iexact="mixed.case@customer.TEST")
    sql, params = lookup.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: ask for any index
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "accounts_user_email_upper_idx" in plan, plan
    assert lookup.get().email == "Mixed.Case@Customer.test"
