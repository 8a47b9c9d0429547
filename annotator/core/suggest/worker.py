"""The training child process: ``python -m annotator.core.suggest.worker REQUEST.json``.

Prints one JSON :class:`~annotator.core.suggest.training.TrainingEvent` per line on stdout;
SIGTERM cancels (the half-written model is removed, the previous one stays in use).
"""

from __future__ import annotations

import sys
from pathlib import Path

from annotator.core.suggest.training import TrainingEvent, run_request


def _emit(event: TrainingEvent) -> None:
    sys.stdout.write(event.to_line() + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: python -m annotator.core.suggest.worker REQUEST.json\n")
        return 2
    return run_request(Path(argv[0]), _emit)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
