"""User text shown literally: never as markup, never reordering the interface around it.

Document texts, titles, span texts, notes, label and annotator names and file names come from
users and from imported files, so they may hold anything: HTML, control characters, bidi
overrides. Three things can go wrong when such a string is shown, and this module has one
answer for each:

* **Rich text.** ``QLabel``, ``QMessageBox`` and tooltips guess: a string that merely *looks*
  like HTML (``Qt.mightBeRichText``: a known tag such as ``<b>`` before the first line break, or
  ``&lt;``) is rendered as HTML, and an ``<img src="file:///…">`` in it is loaded. Labels and
  message boxes that show user text are set to ``Qt.PlainText``; tooltips cannot be, so
  :func:`tooltip` turns a plain string into rich text that shows exactly that string, and
  :func:`html_text` escapes user text that goes into our own rich text.
* **Bidi.** A right-to-left title or a U+202E (right-to-left override) inside it would reorder
  the words *around* it in a longer string ("“ecnereffid” (3 of 10)"). :func:`isolate` wraps
  it in U+2068 FIRST STRONG ISOLATE … U+2069 POP DIRECTIONAL ISOLATE, after neutralising
  isolate controls in it that could end the isolate early.
* **Control characters.** A NUL, an escape or a newline in a one-line place (a list cell, a
  status message) is invisible or breaks the line: :func:`one_line` shows controls as their
  Unicode symbols (␀, ␛) and whitespace runs as one space.

These functions change only what is *shown*; the stored text is never touched.
"""

from __future__ import annotations

import html
import unicodedata

FSI = "\u2068"  # FIRST STRONG ISOLATE
PDI = "\u2069"  # POP DIRECTIONAL ISOLATE
_INITIATORS = "\u2066\u2067\u2068"  # LRI, RLI, FSI
#: Bidi classes that can move text around them: right-to-left letters, Arabic digits, controls.
_REORDERING = frozenset(("R", "AL", "AN", "LRE", "LRO", "RLE", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"))

# C0 controls and DEL as their visible symbols (U+2400…U+2421); C1 controls as U+FFFD.
_VISIBLE = {c: 0x2400 + c for c in range(0x20)}
_VISIBLE[0x7F] = 0x2421
_VISIBLE.update({c: 0xFFFD for c in range(0x80, 0xA0)})
_VISIBLE_MULTILINE = {c: v for c, v in _VISIBLE.items() if c not in (0x09, 0x0A)}


def isolate(text: str) -> str:
    """``text`` as a bidi isolate, to be embedded in a longer interface string.

    Whatever directions and overrides it holds stay inside: an unmatched U+2069 in it (which
    would close the isolate early) is dropped, and isolates it leaves open are closed. Text
    without right-to-left letters, Arabic digits or bidi controls cannot reorder anything
    and is returned as it is.
    """
    if text.isascii() or not any(unicodedata.bidirectional(ch) in _REORDERING for ch in text):
        return text
    if not any(ch in text for ch in "\u2066\u2067\u2068\u2069"):
        return FSI + text + PDI
    out = []
    depth = 0
    for ch in text:
        if ch in _INITIATORS:
            depth += 1
        elif ch == PDI:
            if not depth:
                continue
            depth -= 1
        out.append(ch)
    return FSI + "".join(out) + PDI * depth + PDI


def visible_controls(text: str, *, multiline: bool = False) -> str:
    """Control characters as visible symbols (NUL as ␀, ESC as ␛, C1 controls as �); with
    ``multiline``, newlines and tabs stay as they are."""
    return text.translate(_VISIBLE_MULTILINE if multiline else _VISIBLE)


def one_line(text: str, limit: int | None = None) -> str:
    """``text`` for a one-line place: whitespace runs (newlines, tabs, U+2028/U+2029 …) become
    one space, other control characters their symbols; cut to ``limit`` characters with "…"."""
    flat = visible_controls(" ".join(text.split()))
    if limit is not None and len(flat) > limit:
        flat = flat[: max(0, limit - 1)] + "…"
    return flat


def html_text(text: str) -> str:
    """``text`` for inclusion in rich text (tooltips, labels we format ourselves): escaped."""
    return html.escape(text, quote=False)


def rich(text: str) -> str:
    """A user string inside rich text of our own: escaped, and bidi-isolated so that it shows
    as typed and cannot reorder the words around it."""
    return html_text(isolate(text))


def tooltip(text: str) -> str:
    """A tooltip showing ``text`` literally, line breaks kept.

    Qt shows a plain string that looks like HTML as HTML; this one is explicitly rich text whose
    rendering is exactly ``text`` (other controls as symbols).
    """
    escaped = html_text(visible_controls(text, multiline=True)).replace("\n", "<br>")
    return f"<p style='white-space:pre-wrap'>{escaped}</p>"


def mnemonic_safe(text: str) -> str:
    """``text`` for a button or menu entry, where "&" would mark a keyboard mnemonic."""
    return text.replace("&", "&&")


__all__ = [
    "FSI",
    "PDI",
    "html_text",
    "isolate",
    "mnemonic_safe",
    "one_line",
    "rich",
    "tooltip",
    "visible_controls",
]
