"""Training-corpus formats: readers and writers for jsonl, doccano, prodigy, conll and brat.

``exporter.export_corpus`` and ``importer.import_corpus`` are the entry points; ``jsonl.iter_native``
reads a native export without a project; ``registry.FORMATS`` is the one table of formats that
the command line, the window's dialogs and docs/formats.md read.
"""
