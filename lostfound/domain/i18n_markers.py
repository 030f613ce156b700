"""Marker for strings translated later, where the user's language is known."""


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now."""
    return message
