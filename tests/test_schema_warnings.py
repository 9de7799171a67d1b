"""The published OpenAPI schema generates without a single warning (clients are generated from
it)."""

from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS


def test_openapi_schema_generates_without_warnings(tmp_path):
    GENERATOR_STATS.reset()  # the counts are process-wide; count this generation only
    # --fail-on-warn raises SchemaGenerationError on any warning or error, e.g. an enum name
    # collision.
    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))

    assert (tmp_path / "schema.yml").read_text().startswith("openapi:")
