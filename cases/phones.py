"""Phone numbers (issue 19): one customer, one record. Every number that comes in is validated and
written one way, so that the same person typed as `138-1234-5678`, `+86 138 1234 5678` or
`13812345678` is matched as one."""

import functools
import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_REGION = "CN"

# Most numbers that come in are a Chinese mobile number written plainly: phonenumbers' own
# pattern for those settles them (valid, stored as written) without parsing. None of them starts
# with a prefix the parser would strip (0, 11, 12, 179): tests/test_one_customer.py compares the
# two ways over every four-digit prefix.
_PLAIN_MOBILE = re.compile(phonenumbers.PhoneMetadata.metadata_for_region(
    DEFAULT_REGION).mobile.national_number_pattern)


# Remembered per process: the intake reads each number twice (its input, then the customer's
# upsert), and parsing one takes 0.2–0.4 ms.
@functools.lru_cache(maxsize=4096)
def phone_normalize(raw: str | None) -> str:
    """The stored form of a phone number: a Chinese number as its national digits (13812345678,
    02112345678: what people read, mask and search), any other in E.164 (+16502530000); empty
    stays empty. Not a valid number: ValidationError."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    if raw.isascii() and _PLAIN_MOBILE.fullmatch(raw):
        return raw
    return _phone_parsed(raw)


def _phone_parsed(raw: str) -> str:
    try:
        number = phonenumbers.parse(raw, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a valid phone number, e.g. 13812345678."), code="phone")
    if number.country_code == phonenumbers.country_code_for_region(DEFAULT_REGION):
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        return "".join(ch for ch in national if ch.isdigit())
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
