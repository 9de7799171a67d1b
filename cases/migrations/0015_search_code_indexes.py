from django.db import migrations

# Btree indexes for a repair order or case number typed whole, by its head or by its tail
# (cases/search.py): the trigram indexes answer those slowly, as every order or case number
# shares most of its trigrams with a million others. text_pattern_ops serves LIKE 'X%' in any
# collation. PostgreSQL only: SQLite runs the same LIKE without an index.
CODE_INDEXES = {
    "case_number_head": ("cases_case", "UPPER(number)"),
    "case_number_tail": ("cases_case", "REVERSE(UPPER(number))"),
    "servicerecord_order_head": ("cases_servicerecord", "UPPER(order_number)"),
    "servicerecord_order_tail": ("cases_servicerecord", "REVERSE(UPPER(order_number))"),
}


def code_indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, expression) in CODE_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} (({expression}) text_pattern_ops)")
    # The planner estimates an expression index's look-ups from the statistics ANALYZE keeps for
    # its expression: without them it may read the whole table instead.
    schema_editor.execute("ANALYZE cases_case, cases_servicerecord")


def code_indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in CODE_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0014_customer_language"),
    ]

    operations = [
        migrations.RunPython(code_indexes_create, code_indexes_drop),
    ]
