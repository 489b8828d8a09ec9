"""What consumers type, made safe to parse: Unicode folded to one form, nothing invisible.

Copying a number from a bill or a banking app brings zero-width spaces,
direction marks or full-width digits; NFKC turns full-width and other
compatibility forms into plain characters, and control and format
characters (Unicode categories Cc and Cf: NUL, zero-width, RTL marks) are
dropped, except ordinary whitespace, which becomes a space.
"""

from __future__ import annotations

import unicodedata

_WHITESPACE_CONTROLS = {"\t", "\n", "\r", "\x0b", "\x0c"}


def clean_text(text: str) -> str:
    """NFKC-normalised `text` without control or format characters."""
    folded = unicodedata.normalize("NFKC", text)
    kept = []
    for char in folded:
        if char in _WHITESPACE_CONTROLS:
            kept.append(" ")
        elif unicodedata.category(char) not in ("Cc", "Cf"):
            kept.append(char)
    return "".join(kept)
