"""A second Annotator window in its own process, for tests of two instances on one project.

``python -m tests.reliability.second_window PROJECT SETTINGS START COUNT EXPECT`` opens the real
main window offscreen as "alice", adds COUNT one-character spans at START, START+2, … through the
window's session (the code the label keys run), prints ``ADDED n`` after each is saved, then
waits (with the window's own polling) until it shows EXPECT spans in the open document and
prints ``SAW n``. It exits 0, or 1 on any error dialog, or 2 if EXPECT is not reached in 30 s.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    path, settings_path, start, count, expect = sys.argv[1:6]
    from PySide6.QtCore import QTimer

    from annotator.core.importing import open_project
    from annotator.gui import messages
    from annotator.gui.app import application
    from annotator.gui.mainwindow import MainWindow
    from annotator.gui.settings import Settings

    app = application()
    failures: list[str] = []
    messages.error = lambda _parent, title, message: failures.append(f"{title}: {message}")
    window = MainWindow(open_project(Path(path)), Settings(settings_path), "alice")
    window.show()
    window.open_initial_document()
    for i in range(int(count)):
        position = int(start) + 2 * i
        if window.session.create_span(position, position + 1, "actor") is None:
            print(f"FAILED {failures}", flush=True)
            return 1
        print(f"ADDED {i + 1}", flush=True)
    code = {"value": 2}

    def check() -> None:
        if failures:
            code["value"] = 1
            app.quit()
        elif len(window.session.spans) >= int(expect):
            print(f"SAW {len(window.session.spans)}", flush=True)
            code["value"] = 0
            app.quit()

    timer = QTimer()
    timer.timeout.connect(check)
    timer.start(50)
    QTimer.singleShot(30_000, app.quit)
    app.exec()
    window.close()
    window.project.close()
    return code["value"]


if __name__ == "__main__":
    sys.exit(main())
