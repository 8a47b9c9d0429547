"""OffsetMap.for_qt_document agrees with what a real QTextDocument does with the same text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QTextCursor, QTextDocument

from annotator.core.utf16 import OffsetMap

PIECES = st.sampled_from(
    ["a", " ", "😀", "👩\u200d🔬", "中文", "e\u0301", "\r\n", "\n", "\r", "\u2029", "𝔘", "\ufeff", "Z", "<b>"]
)


@settings(max_examples=200, deadline=None)
@given(pieces=st.lists(PIECES, min_size=1, max_size=30))
def test_every_code_point_maps_to_the_qt_position_of_its_character(qapp, pieces: list[str]) -> None:
    text = "".join(pieces)
    document = QTextDocument()
    document.setPlainText(text)
    offsets = OffsetMap.for_qt_document(text)
    assert offsets.utf16_length == document.characterCount() - 1
    # Walk the document one character (grapheme-free: one position or one surrogate pair) at a
    # time and compare what Qt shows there with what the map says is there.
    for cp in range(len(text)):
        ch = text[cp]
        if ch == "\ufeff" and cp == 0:
            continue  # dropped by Qt
        if ch == "\r" and text[cp + 1 : cp + 2] == "\n":
            continue  # "\r\n" is one paragraph separator
        position = offsets.to_utf16(cp)
        cursor = QTextCursor(document)
        cursor.setPosition(position)
        cursor.setPosition(position + (2 if ord(ch) > 0xFFFF else 1), QTextCursor.KeepAnchor)
        shown = cursor.selectedText()
        if ch in "\r\n\u2029":
            assert shown == "\u2029"
        else:
            assert shown == ch
        # The separator of "\r\n" stands for both; a position maps back to the first.
        first = cp - 1 if ch == "\n" and text[cp - 1 : cp] == "\r" else cp
        assert offsets.to_code_point(position) == first
