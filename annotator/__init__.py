"""Annotator: label spans of text for machine-learning corpora."""

APP_ID = "io.github.annotator.Annotator"
APP_NAME = "Annotator"
ORG_NAME = "Annotator"
__version__ = "0.1.0"

__all__ = ["APP_ID", "APP_NAME", "ORG_NAME", "__version__"]
