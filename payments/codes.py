"""Codes people type: a package's private code and a gift card's code.

Each is drawn from ``secrets`` (80 random bits in 16 characters), says nothing about who bought it, and is
written for humans in groups of four from Crockford's base-32 alphabet, which leaves out I, L, O and U so
that nothing reads as something else. What a person types is read back forgivingly (any case, spaces or
dashes anywhere, O for 0 and I or L for 1), then compared with ``hmac.compare_digest``.
"""

import hmac
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUPS = 4
GROUP_LENGTH = 4
LENGTH = GROUPS * GROUP_LENGTH
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None})


def code_new() -> str:
    """A fresh code, e.g. ``"7KQ2-M9XD-4TBN-E3WA"``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return code_format(raw)


def code_format(raw: str) -> str:
    return "-".join(raw[index : index + GROUP_LENGTH] for index in range(0, len(raw), GROUP_LENGTH))


def code_normalise(typed: str) -> str | None:
    """What a person typed as the stored form of a code, or None when it cannot be one (wrong length, letters)."""
    raw = (typed or "").upper().translate(_READ_AS)
    raw = "".join(raw.split())
    if len(raw) != LENGTH or any(character not in ALPHABET for character in raw):
        return None
    return code_format(raw)


def code_lookup(code: str) -> str:
    """The first group: stored apart so a row is found without comparing the secret part in the database."""
    return code[:GROUP_LENGTH]


def codes_match(stored: str, given: str) -> bool:
    return hmac.compare_digest(stored.encode(), given.encode())
