"""PyInstaller entry point of the bundle: the same command line as the installed ``annotator``."""

import multiprocessing

from annotator.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    main()
