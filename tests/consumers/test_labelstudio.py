"""Label Studio JSON tasks (issue 12, item 8), tested against Label Studio's documented task and
export format (data.text, annotations[].result[] with value.start/end/text/labels, predictions
with model_version, completed_by, was_cancelled): the real server is not run here."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from annotator.core.errors import InputError
from annotator.core.formats.importer import ImportOptions, detect_file, import_corpus
from annotator.core.formats.labelstudio import (
    CANCELLED,
    NEITHER,
    NOTES,
    OTHER_RESULTS,
    PREDICTION_IDS,
    UTF16_READ,
    labeling_config,
    utf16_to_code_points,
)
from annotator.core.store import DocumentInput, Project

from .conftest import TEXTS, export, touched_records


def tasks(path: Path) -> list[dict]:  # type: ignore[type-arg]
    loaded = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, list)
    return loaded


def test_every_span_is_on_its_code_points_and_layers_are_annotations(
    awkward: Project, tmp_path: Path
) -> None:
    path = tmp_path / "ls.json"
    awkward.import_layer("emoji", "suggest-memory", [(0, 3, "actor", None)], "done")
    report = export(awkward, path, "labelstudio")
    found = {task["data"]["doc_id"]: task for task in tasks(path)}
    records = touched_records(awkward)
    assert set(found) == {r[0] for r in records}
    for doc_id, name, text, spans in records:
        task = found[doc_id]
        assert task["data"]["text"] == text == TEXTS[doc_id]
        if name.startswith("suggest-"):
            (prediction,) = task["predictions"]
            assert prediction["model_version"] == "memory"
            entry = prediction
        else:
            entry = task["annotations"][task["data"]["annotator_layers"].index(name)]
        got = [(r["value"]["start"], r["value"]["end"], r["value"]["labels"][0]) for r in entry["result"]]
        assert got == [(s, e, label) for s, e, label, _n in spans]
        for result in entry["result"]:
            value = result["value"]
            assert value["text"] == text[value["start"] : value["end"]]  # code points, as LS reads them
            assert (result["from_name"], result["to_name"], result["type"]) == ("label", "text", "labels")
    assert report.left_out[NOTES] == 2


def test_round_trip_keeps_layers_spans_and_predictions(awkward: Project, tmp_path: Path) -> None:
    awkward.import_layer("emoji", "suggest-memory", [(0, 3, "actor", None)], "done")
    path = tmp_path / "ls.json"
    export(awkward, path, "labelstudio")
    assert detect_file(path) == "labelstudio"
    with Project.open(tmp_path / "back.db") as back:
        import_corpus(back, [path], ImportOptions(add_labels=True))
        for doc_id, name, text, spans in touched_records(awkward):
            assert back.document_text(doc_id) == text
            assert back.document(doc_id).title == f"Title of {doc_id}"
            assert [(s.start, s.end, s.label) for s in back.spans(doc_id, name)] == [
                (s, e, label) for s, e, label, _n in spans
            ]


TEXT = "👨🏻\u200d🚒 firemen drive 北京 firetrucks\r\nat Cafe\u0301 work"


def _ls_task(text: str, start: int, end: int, quoted: str, **extra: object) -> dict:  # type: ignore[type-arg]
    result = {
        "id": "x1",
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "origin": "manual",
        "value": {"start": start, "end": end, "text": quoted, "labels": ["actor"]},
    }
    return {
        "id": 7,
        "data": {"text": text},
        "annotations": [{"id": 1, "completed_by": 1, "result": [result], "was_cancelled": False}],
        "predictions": [],
        **extra,
    }


def _utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def test_utf16_offsets_of_an_earlier_label_studio_are_converted(project: Project, tmp_path: Path) -> None:
    start = TEXT.index("firetrucks")
    end = start + len("firetrucks")
    assert _utf16(TEXT, start) != start  # the emoji makes the readings differ
    tasks_ = [
        _ls_task(TEXT, start, end, "firetrucks"),  # current Label Studio: code points
        _ls_task(TEXT, _utf16(TEXT, start), _utf16(TEXT, end), "firetrucks", id=8),  # before the fix
    ]
    tasks_[1]["data"] = {"text": TEXT, "id": "old"}
    path = tmp_path / "export.json"
    path.write_text(json.dumps(tasks_, ensure_ascii=False), encoding="utf-8")
    report = _import(project, path)
    assert report.warnings[UTF16_READ] == 1
    for doc_id in ("7", "old"):
        (span,) = project.spans(doc_id, "labelstudio-1")
        assert project.document_text(doc_id)[span.start : span.end] == "firetrucks"


def _import(project: Project, path: Path):  # type: ignore[no-untyped-def]
    return import_corpus(project, [path], ImportOptions(add_labels=True))


def test_a_task_fitting_neither_reading_is_skipped_and_reported(project: Project, tmp_path: Path) -> None:
    good = _ls_task("Kim met Wood.", 0, 3, "Kim")
    bad = _ls_task("Kim met Wood.", 4, 7, "Wood", id=9)
    path = tmp_path / "export.json"
    path.write_text(json.dumps([good, bad]), encoding="utf-8")
    report = _import(project, path)
    assert report.left_out[NEITHER] == 1
    assert project.document_ids() == ["7"]


def test_label_studios_own_export_shape_imports(project: Project, tmp_path: Path) -> None:
    task = _ls_task(TEXT, 0, 4, "👨🏻\u200d🚒")
    task["annotations"].append({"id": 2, "completed_by": {"id": 3, "email": "bob@example.org"}, "result": []})
    task["annotations"].append({"id": 3, "completed_by": 4, "result": [], "was_cancelled": True})
    task["annotations"][0]["result"].append(
        {"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}
    )
    task["predictions"] = [
        {"model_version": "ner-v2", "score": 0.5, "result": [task["annotations"][0]["result"][0]]}
    ]
    path = tmp_path / "export.json"
    path.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    report = _import(project, path)
    assert report.left_out[CANCELLED] == 1
    assert report.left_out[OTHER_RESULTS] == 1
    assert sorted(project.annotators()) == ["bob@example.org", "labelstudio-1", "suggest-ner-v2"]
    (span,) = project.spans("7", "suggest-ner-v2")
    assert (span.start, span.end) == (0, 4)


def test_json_lines_of_tasks_are_read_too(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "tasks.jsonl"
    path.write_text(json.dumps(_ls_task("Kim met Wood.", 0, 3, "Kim")) + "\n", encoding="utf-8")
    assert detect_file(path) == "labelstudio"
    _import(project, path)
    assert [s.label for s in project.spans("7", "labelstudio-1")] == ["actor"]


def test_a_task_without_text_is_refused_naming_file_and_task(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps([{"data": {"image": "x.png"}, "annotations": []}]), encoding="utf-8")
    with pytest.raises(InputError, match=r"export.json.*task 1: no 'data.text'"):
        import_corpus(project, [path], ImportOptions(format="labelstudio"))
    assert project.document_ids() == []


def test_utf16_conversion_lands_on_code_points() -> None:
    text = "a👍🏽b🇺🇸c"
    convert = utf16_to_code_points(text)
    for index in range(len(text) + 1):
        assert convert(_utf16(text, index)) == index
    assert convert(2) is None  # inside the surrogate pair of 👍


def test_labeling_config_declares_the_labels(project: Project) -> None:
    config = labeling_config(project.labels())
    root = ET.fromstring(config)
    assert root.tag == "View"
    (labels,) = root.findall("Labels")
    assert (labels.get("name"), labels.get("toName")) == ("label", "text")
    assert [label.get("value") for label in labels] == project.labels().names
    assert all(label.get("background", "").startswith("#") for label in labels)
    (text,) = root.findall("Text")
    assert (text.get("name"), text.get("value")) == ("text", "$text")


def test_the_command_line_writes_the_labeling_config(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from annotator.cli import cli

    db = tmp_path / "p.db"
    with Project.open(db) as project:
        text = "Kim 👍🏽 met Wood."
        project.add_documents([DocumentInput("d", text)])
        project.add_span("d", "alice", text.index("met"), text.index("met") + 3, "actor")
    out, config = tmp_path / "tasks.json", tmp_path / "config.xml"
    args = [
        "--db",
        str(db),
        "export",
        "--format",
        "labelstudio",
        "-o",
        str(out),
        "--labelstudio-config",
        str(config),
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    (task,) = tasks(out)
    value = task["annotations"][0]["result"][0]["value"]
    assert (value["start"], value["end"], value["text"]) == (7, 10, "met")  # code points, not UTF-16
    assert ET.fromstring(config.read_text(encoding="utf-8")).tag == "View"


def test_predictions_listed_by_id_are_reported_and_statuses_come_back(
    awkward: Project, tmp_path: Path
) -> None:
    """Label Studio's default JSON export lists predictions by id (seen with a real server)."""
    path = tmp_path / "ls.json"
    export(awkward, path, "labelstudio")
    exported = tasks(path)
    for task in exported:
        task["predictions"] = [7]
    path.write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")
    with Project.open(tmp_path / "back.db") as back:
        report = import_corpus(back, [path], ImportOptions(add_labels=True))
        assert report.left_out[PREDICTION_IDS] == len(exported)
        assert back.status("cjk", "alice") == awkward.status("cjk", "alice") == "done"
