"""Personal data shown to people: one rule for how a phone number looks outside the case."""


def phone_mask(value: str | None) -> str:
    """13812345678 → 138****5678: enough to tell numbers apart in a list or a log, not to call
    one. Blank stays blank; anything too short to keep digits on both sides becomes ****."""
    digits = (value or "").strip()
    if not digits:
        return ""
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 8 else "****"


def phone_for(value: str | None, *, full: bool) -> str:
    """The number itself for someone who works the case, masked for everyone else."""
    return (value or "").strip() if full else phone_mask(value)
