"""Path converters of the URLs."""


class IdConverter:
    """A row id in a URL: digits that fit a bigint column. A longer number names no row and gets
    the 404 of any unknown id, never an overflow in the database driver (SQLite's or psycopg's)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)
