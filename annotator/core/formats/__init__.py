"""Training-corpus formats: readers and writers for jsonl, doccano, prodigy, conll and brat."""
