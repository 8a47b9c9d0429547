"""Training-corpus formats: readers and writers for jsonl, doccano, prodigy, conll and brat.

``exporter.export_corpus`` and ``importer.import_corpus`` are the entry points; ``jsonl.iter_native``
reads a native export without a project.
"""

#: Export formats, the native one first (the default).
EXPORT_FORMATS = ("jsonl", "doccano", "prodigy", "conll", "brat")
#: Formats ``annotator import --format`` accepts ("text": plain documents, no spans).
IMPORT_FORMATS = ("jsonl", "doccano", "prodigy", "conll", "brat", "text")
