"""A real Label Studio server takes our export and gives it back (``python3 dev.py test -m labelstudio``).

Label Studio is a web server with its own heavy dependencies (Django and more), so it gets a
virtual environment of its own: ``ANNOTATOR_LABELSTUDIO_PYTHON`` names its Python, else one is made
in ``.venv-labelstudio`` beside the project on first use (``pip install label-studio``: a few
minutes). The server listens on 127.0.0.1 only and is told not to send anything anywhere (no
version check, no analytics, no Sentry). The test creates a project from our labelling
configuration, imports our tasks through the HTTP API, exports them with Label Studio's default
JSON export and with a snapshot that includes the predictions, and imports both into Annotator.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from annotator.core.formats.importer import ImportOptions, import_corpus
from annotator.core.formats.labelstudio import PREDICTION_IDS, labeling_config
from annotator.core.store import Project

from .conftest import export, touched_records
from .own_venv import own_python

pytestmark = pytest.mark.labelstudio

REQUIREMENTS = ["label-studio"]
TOKEN = "annotator0test0token0000000000000000000"
QUIET = {  # Label Studio phones home unless told not to
    "LATEST_VERSION_CHECK": "false",
    "COLLECT_ANALYTICS": "false",
    "SENTRY_DSN": "",
    "FRONTEND_SENTRY_DSN": "",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    def __init__(self, base: str) -> None:
        self.base = base

    def call(self, method: str, path: str, body: object = None) -> bytes:
        request = urllib.request.Request(
            self.base + path,
            data=None if body is None else json.dumps(body).encode("utf-8"),
            method=method,
            headers={"Authorization": f"Token {TOKEN}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=300) as response:
            answer: bytes = response.read()
            return answer

    def json(self, method: str, path: str, body: object = None) -> Any:
        return json.loads(self.call(method, path, body))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    python = own_python(".venv-labelstudio", "ANNOTATOR_LABELSTUDIO_PYTHON", REQUIREMENTS)
    home = tmp_path_factory.mktemp("labelstudio")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")}
    env.update(QUIET, HOME=str(home), LABEL_STUDIO_BASE_DATA_DIR=str(home / "data"))
    command = [
        str(python), "-m", "label_studio.server", "start", "--no-browser",
        "--host", "127.0.0.1", "--internal-host", "127.0.0.1", "--port", str(port),
        "--username", "tester@example.com", "--password", "annotator-test-pass",
        "--user-token", TOKEN, "--enable-legacy-api-token",
    ]  # fmt: skip
    log = (home / "server.log").open("wb")
    process = subprocess.Popen(command, cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 900  # the first start migrates its database
        while True:
            assert process.poll() is None, (home / "server.log").read_text(errors="replace")[-3000:]
            try:
                with urllib.request.urlopen(base + "/health", timeout=10) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            assert time.monotonic() < deadline, "Label Studio did not start"
            time.sleep(1)
        yield Server(base)
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def spans_by_layer(project: Project) -> dict[tuple[str, str], list[tuple[int, int, str]]]:
    return {
        (doc_id, name): [(s, e, label) for s, e, label, _note in spans]
        for doc_id, name, _text, spans in touched_records(project)
    }


def test_label_studio_keeps_every_span_layer_status_and_prediction(
    awkward: Project, tmp_path: Path, server: Server
) -> None:
    awkward.import_layer("emoji", "suggest-memory", [(0, 3, "actor", None), (4, 7, "actor", None)], "done")
    awkward.set_status("rtl", "alice", "done")
    tasks = tmp_path / "tasks.json"
    export(awkward, tasks, "labelstudio")
    created = server.json(
        "POST", "/api/projects", {"title": "Annotator", "label_config": labeling_config(awkward.labels())}
    )
    project_id = created["id"]  # Label Studio accepted our labelling configuration
    imported = server.json(
        "POST",
        f"/api/projects/{project_id}/import?commit_to_project=true",
        json.loads(tasks.read_text("utf-8")),
    )
    expected = spans_by_layer(awkward)
    annotators = {key: spans for key, spans in expected.items() if not key[1].startswith("suggest-")}
    assert imported["task_count"] == len({doc_id for doc_id, _ in expected})
    assert imported["annotation_count"] == len(annotators)
    assert imported["prediction_count"] == 1

    # Label Studio's default JSON export: predictions come back as ids only, which is reported.
    plain = tmp_path / "plain.json"
    plain.write_bytes(
        server.call("GET", f"/api/projects/{project_id}/export?exportType=JSON&download_all_tasks=true")
    )
    with Project.open(tmp_path / "plain.db") as back:
        report = import_corpus(back, [plain], ImportOptions(add_labels=True))
        assert spans_by_layer(back) == annotators
        assert report.left_out[PREDICTION_IDS] == 1
        check_documents_and_statuses(awkward, back)

    # A snapshot export with the predictions included brings the suggestion layer back too.
    snapshot = server.json(
        "POST",
        f"/api/projects/{project_id}/exports/",
        {"title": "all", "serialization_options": {"predictions": {"only_id": False}}},
    )
    for _ in range(300):
        if (
            server.json("GET", f"/api/projects/{project_id}/exports/{snapshot['id']}")["status"]
            == "completed"
        ):
            break
        time.sleep(1)
    full = tmp_path / "full.json"
    full.write_bytes(
        server.call("GET", f"/api/projects/{project_id}/exports/{snapshot['id']}/download?exportType=JSON")
    )
    with Project.open(tmp_path / "full.db") as back:
        import_corpus(back, [full], ImportOptions(add_labels=True))
        assert spans_by_layer(back) == expected
        check_documents_and_statuses(awkward, back)


def check_documents_and_statuses(original: Project, back: Project) -> None:
    for doc_id, name, text, _spans in touched_records(original):
        assert back.document_text(doc_id) == text  # emoji, CJK, marks, RTL, \r\n, lone \r, U+2028 intact
        assert back.document(doc_id).title == original.document(doc_id).title
        if not name.startswith("suggest-"):
            assert back.status(doc_id, name) == original.status(doc_id, name)
