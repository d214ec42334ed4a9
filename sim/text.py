"""Text from files (names, values, file paths) made safe to print.

A name in a scenario may hold anything YAML can write: ``"\\e]0;title\\a"`` escapes that
set a terminal's window title or clear the screen, right-to-left overrides that make text
read backwards, or a line of 128 KB. Everything hubsim prints that came from a file goes
through `printable` (or `shown`, which also shortens it), so such text shows as harmless
escapes (``\\x1b``) instead of acting on the terminal. Rich markup (``[/]``) is a separate
matter for the command line: it prints names as plain `rich.text.Text`, never as markup.
"""

from __future__ import annotations

__all__ = ["printable", "shown", "sig", "MAX_SHOWN_CHARS"]

import math

#: Longest value echoed in a message; longer ones are cut with their length given.
MAX_SHOWN_CHARS = 60


_SHORT = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(ch: str) -> str:
    if ch in _SHORT:
        return _SHORT[ch]
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def printable(text: object) -> str:
    """``text`` with every character a terminal would not simply show written as an escape.

    Control characters (``\\x1b``, ``\\a``, newlines), invisible format characters (bidi
    overrides, zero-width spaces) and unusual separators become ``\\xNN`` / ``\\uNNNN``;
    letters of any script, digits, punctuation and the plain space are kept.
    """
    text = str(text)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else _escape(ch) for ch in text)


def shown(value: object, limit: int = MAX_SHOWN_CHARS, quote: bool = True) -> str:
    """A value as a message echoes it: printable, quoted if text, cut to about ``limit``.

    A cut value says how long it was: ``'999999…' (5,000 characters)``.
    """
    text = value if isinstance(value, str) else repr(value)
    length = len(text)
    cut = length > limit
    if cut:
        text = text[: max(limit - 1, 1)]
    if quote and isinstance(value, str):
        text = repr(text)  # quoted, with anything unprintable escaped
        if cut:
            text = text[:-1] + "…" + text[-1]
    else:
        text = printable(text) + ("…" if cut else "")
    return f"{text} ({length:,} characters)" if cut else text


def sig(x: float | None, digits: int = 3, signed: bool = False) -> str:
    """A figure to ``digits`` significant figures, thousands separated: 18,238.4 ->
    ``18,200``, 0.69 -> ``0.690``, 58.64 -> ``58.6``; an ``int`` whole (``94``); ``–`` for a
    missing value (None or NaN)."""
    if x is None or x != x:
        return "–"
    if isinstance(x, int):  # a count is shown whole: 94 beds, not 94.0
        return f"{x:{'+' if signed else ''},}"
    if math.isinf(x):
        return ("+" if signed and x > 0 else "") + ("∞" if x > 0 else "−∞")
    sign = "+" if signed and x > 0 else ""
    if x == 0:
        return "0"
    places = digits - 1 - math.floor(math.log10(abs(x)))
    rounded = round(x, places)
    if rounded and math.floor(math.log10(abs(rounded))) > math.floor(math.log10(abs(x))):
        places -= 1  # 9.996 rounds up to 10.0: one decimal fewer
    return f"{rounded:{sign},.{max(places, 0)}f}"
