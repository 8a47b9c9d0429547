"""Import JSONL files into a fresh doccano 1.8.4 sequence-labelling project with doccano's own code.

Run by the Python of a virtual environment that has ``doccano==1.8.4`` installed (see
``tests/consumers/test_doccano_real.py``), never by the test suite's own Python:

    python doccano_import.py HOME FILE [--allow-overlapping]

It sets doccano up as ``doccano init`` does (SQLite database under HOME, migrations), creates a
sequence-labelling project, and runs doccano's import pipeline (``data_import.datasets.load_dataset``
with its JSONL parser, the code behind the upload dialog's Celery task) on FILE. It prints one JSON
object: the examples doccano stored (text, meta, spans as [start, end, label]) and the errors it
reported per line; an exception inside doccano is printed as ``{"crash": "..."}``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def main() -> None:
    home, file = Path(sys.argv[1]), Path(sys.argv[2])
    allow_overlapping = "--allow-overlapping" in sys.argv[3:]
    os.environ["DOCCANO_HOME"] = str(home)
    os.environ["DATABASE_URL"] = f"sqlite:///{home / 'db.sqlite3'}"
    os.environ["SECRET_KEY"] = "annotator-consumer-test"
    os.environ["MEDIA_ROOT"] = str(home / "media")
    import backend  # the doccano package: its Django apps live in this folder

    base = str(Path(backend.__file__).parent)
    sys.path.append(base)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    os.environ["STANDALONE"] = "True"
    import django
    from django.core import management

    django.setup()
    management.call_command("migrate", verbosity=0)

    from data_import.datasets import load_dataset
    from data_import.pipeline.catalog import create_file_format
    from data_import.pipeline.readers import FileName
    from django.contrib.auth.models import User
    from examples.models import Example
    from labels.models import Span
    from projects.models import ProjectType, SequenceLabelingProject

    user = User.objects.create(username="annotator-test")
    project = SequenceLabelingProject.objects.create(
        name="consumer test",
        project_type=ProjectType.SEQUENCE_LABELING,
        created_by=user,
        allow_overlapping=allow_overlapping,
    )
    fmt = create_file_format("JSONL")
    files = [FileName(full_path=str(file), generated_name=file.name, upload_name=file.name)]
    dataset = load_dataset(ProjectType.SEQUENCE_LABELING, fmt, files, project)
    try:
        dataset.save(user, batch_size=1000)
    except Exception as exc:  # doccano's own failure is the result
        print(json.dumps({"crash": f"{type(exc).__name__}: {exc}"}))
        return
    examples = []
    for example in Example.objects.filter(project=project).order_by("id"):
        spans = Span.objects.filter(example=example).order_by("start_offset", "end_offset", "label__text")
        examples.append(
            {
                "text": example.text,
                "meta": example.meta,
                "spans": [[s.start_offset, s.end_offset, s.label.text] for s in spans],
            }
        )
    errors = [e.dict() for e in dataset.errors]
    print(json.dumps({"examples": examples, "errors": errors}, default=str))


if __name__ == "__main__":
    main()
