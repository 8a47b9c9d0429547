"""One watcher per open project that tells every window what changed in it, and who changed it.

Two kinds of change reach a window: another program saved something (a second Annotator, the
command line), which :meth:`Project.changed_elsewhere` notices with a cheap PRAGMA polled once a
second; or the other window of this program saved something on the same connection (a review
decision into gold while the main window shows the gold layer), which that window announces.
Both windows subscribe to the same watcher, so a change is noticed once and shown everywhere.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from annotator.core.store import Project
from annotator.gui.saving import SaveWaiter


class ProjectWatcher(QObject):
    """Polls one project for other programs' changes and relays this program's own."""

    #: Another program saved changes to the project.
    changed_elsewhere = Signal()
    #: A window of this program saved changes; the argument is who (to skip its own).
    changed_here = Signal(object)

    #: How often the project is asked whether another program changed it.
    INTERVAL_MS = 1000

    _by_project: dict[int, ProjectWatcher] = {}

    def __init__(self, project: Project, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("externalChangeWatch")
        self.project = project
        self._timer = QTimer(self)
        self._timer.setInterval(self.INTERVAL_MS)
        self._timer.timeout.connect(self.poll)
        key = id(project)
        ProjectWatcher._by_project[key] = self
        self.destroyed.connect(lambda *_: ProjectWatcher._by_project.pop(key, None))

    @classmethod
    def of(cls, project: Project, parent: QObject | None = None) -> ProjectWatcher:
        """The project's watcher (made, owned by ``parent``, if it has none yet)."""
        watcher = cls._by_project.get(id(project))
        if watcher is None or watcher.project is not project:
            watcher = cls(project, parent)
        return watcher

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def forget(self) -> None:
        """The project is being closed: stop, and let no window find this watcher again."""
        self.stop()
        if ProjectWatcher._by_project.get(id(self.project)) is self:
            del ProjectWatcher._by_project[id(self.project)]

    def poll(self) -> bool:
        """Tell the subscribers if another program saved something; True if it did.

        Skipped while a write of ours is waiting or in progress (an import with its progress
        dialog): the change is picked up on the next turn.
        """
        if SaveWaiter.waiting or self.project.in_transaction:
            return False
        if not self.project.changed_elsewhere():
            return False
        self.changed_elsewhere.emit()
        return True

    def announce(self, origin: object) -> None:
        """``origin`` (a window or session) saved something the other windows may show."""
        self.changed_here.emit(origin)
