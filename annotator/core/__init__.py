"""The headless core of Annotator: domain, storage, formats and agreement (never Qt)."""
