"""Suggestions: spans proposed by the memory, patterns, a model trained on the corpus or any spaCy
pipeline, which the annotator accepts or rejects (see docs/suggestions.md)."""
