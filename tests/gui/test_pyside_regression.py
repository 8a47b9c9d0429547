"""Guard against PySide6 6.12.0 on CPython < 3.12, which aborts the interpreter ("none_dealloc:
deallocating None") after a few thousand assignments to QTextEdit.ExtraSelection.cursor/.format.

pyproject pins around that release; this test fails loudly if a pin ever lets it back in.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    from PySide6.QtGui import QTextCharFormat, QTextCursor, QTextDocument
    from PySide6.QtWidgets import QApplication, QTextEdit

    app = QApplication([])
    document = QTextDocument()
    document.setPlainText("word " * 1000)
    fmt = QTextCharFormat()
    for i in range(20_000):
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(document)
        cursor.setPosition(i % 4000)
        selection.cursor = cursor
        selection.format = fmt
    print("ok")
    """
)


def test_twenty_thousand_extra_selection_assignments_do_not_abort() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"
