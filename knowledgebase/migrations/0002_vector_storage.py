"""Keep the search vectors in the table row (compressed) rather than in the TOAST table.

Ranking reads the vector of every candidate and a negated query checks it for every match;
an out-of-line vector costs a TOAST index lookup and extra page reads each time. With MAIN
storage PostgreSQL moves the bodies out of the row first and the vectors only as a last
resort. Affects rows written afterwards.
"""

from django.db import migrations

TABLE = "knowledgebase_article"


class Migration(migrations.Migration):
    dependencies = [("knowledgebase", "0001_initial")]

    operations = [
        migrations.RunSQL(
            f"ALTER TABLE {TABLE} ALTER COLUMN search_vector SET STORAGE MAIN, "
            "ALTER COLUMN search_head SET STORAGE MAIN",
            f"ALTER TABLE {TABLE} ALTER COLUMN search_vector SET STORAGE EXTENDED, "
            "ALTER COLUMN search_head SET STORAGE EXTENDED",
        ),
    ]
