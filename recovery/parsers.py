"""The API's JSON parser, with a bound on nesting. Kept apart from `recovery.api`: DRF imports
it while its own views load."""

from rest_framework import exceptions, parsers

# No request body of this API nests deeper than a few levels; a deeper one is refused before
# anything reads it (200 000 brackets made the parser itself overflow the stack).
MAX_JSON_DEPTH = 32


def json_depth_exceeds(data, limit: int = MAX_JSON_DEPTH) -> bool:
    level = [data]
    for _depth in range(limit + 1):
        level = [child for node in level if isinstance(node, dict | list)
                 for child in (node.values() if isinstance(node, dict) else node)]
        if not level:
            return False
    return True


class BoundedJSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        too_deep = exceptions.ParseError(
            f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.")
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        if json_depth_exceeds(data):
            raise too_deep
        return data
