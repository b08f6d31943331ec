"""Description normalisation `nfc-trim-collapse/v1`: the rule every part applies before hashing.

The adapter identity is the sha256 of the normalised text, so the trainer, the gpu-worker and
the edge must agree byte for byte. "Whitespace" is pinned to the Unicode `White_Space`
property (listed below) rather than a regex engine's `\\s`, because engines disagree
(JavaScript's `\\s` adds U+FEFF and drops U+0085; Python's adds U+001C..U+001F).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

NORMALIZATION_RULE = "nfc-trim-collapse/v1"
MAX_DESCRIPTION_CHARS = 2000

# Unicode White_Space (PropList.txt): the 25 code points every implementation must treat as space.
WHITE_SPACE = (
    "\u0009\u000a\u000b\u000c\u000d\u0020\u0085\u00a0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
_WHITE_SPACE_RUN = re.compile(f"[{re.escape(WHITE_SPACE)}]+")


def normalize_description(text: str) -> str:
    """NFC, trim, collapse each whitespace run to one ASCII space; raise if empty or too long."""
    if not isinstance(text, str):
        raise ValueError(f"description must be a string, got {type(text).__name__}")
    normalized = _WHITE_SPACE_RUN.sub(" ", unicodedata.normalize("NFC", text)).strip(" ")
    if not normalized:
        raise ValueError("description is empty after normalisation; give a non-blank task text")
    if len(normalized) > MAX_DESCRIPTION_CHARS:
        raise ValueError(
            f"description is {len(normalized)} characters after normalisation; "
            f"the limit is {MAX_DESCRIPTION_CHARS} (Unicode code points)"
        )
    return normalized


def description_sha256(text: str) -> str:
    """Hex sha256 of the UTF-8 bytes of the normalised description (the adapter identity)."""
    return hashlib.sha256(normalize_description(text).encode("utf-8")).hexdigest()
