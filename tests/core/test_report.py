"""Agreement reports: the figures are there, labels are escaped, undefined reads n/a."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from annotator.core.agreement import Agreement, DocumentLayers, compute_agreement
from annotator.core.errors import AnnotatorError
from annotator.core.report import ReportError, render_html, render_markdown, write_report

NASTY = "<b>&amp|x"


@pytest.fixture
def agreement() -> Agreement:
    docs = [
        DocumentLayers(
            "doc<1>",
            40,
            [(0, 5, "PER"), (0, 5, "PER"), (10, 15, NASTY), (20, 30, "LOC")],
            [(0, 5, "PER"), (10, 15, "LOC"), (21, 30, "LOC"), (33, 36, NASTY)],
        ),
        DocumentLayers("empty", 10, [], []),
    ]
    return compute_agreement(docs, ("ann<a>", "bob"))


def test_html_contains_figures(agreement: Agreement) -> None:
    page = render_html(agreement)
    exact = agreement.overall.exact
    assert f"{exact.precision:.3f}" in page
    assert f"{exact.recall:.3f}" in page
    assert f"{exact.f1:.3f}" in page
    assert f"{agreement.overall.char_kappa:.3f}" in page
    assert f"{agreement.overall.alpha_u:.3f}" in page
    assert "Per label" in page
    assert "Per document" in page
    assert "n/a" in page  # the empty document's figures are undefined


def test_html_escapes_labels_and_ids(agreement: Agreement) -> None:
    page = render_html(agreement)
    assert "<b>" not in page
    assert "&lt;b&gt;&amp;amp|x" in page
    assert "doc&lt;1&gt;" in page
    assert "ann&lt;a&gt;" in page
    assert "doc<1>" not in page


def test_html_is_self_contained_with_heat_map(agreement: Agreement) -> None:
    page = render_html(agreement)
    assert page.startswith("<!DOCTYPE html>")
    assert "<style>" in page
    assert not re.search(r"<(script|link|img)\b", page)
    assert "http://" not in page
    assert "https://" not in page
    assert re.search(r"background: hsl\(140, 65%, \d+%\)", page)  # agreement on the diagonal
    assert re.search(r"background: hsl\(4, 65%, \d+%\)", page)  # confusion off it


def test_markdown_contains_figures_and_escapes(agreement: Agreement) -> None:
    text = render_markdown(agreement)
    assert f"{agreement.overall.exact.f1:.3f}" in text
    assert f"{agreement.labels['PER'].exact.recall:.3f}" in text
    assert "&lt;b&gt;&amp;amp\\|x" in text
    assert "doc&lt;1&gt;" in text
    assert "n/a" in text
    for line in text.splitlines():
        if line.startswith("| "):
            # Every table row has the same number of unescaped pipes as its header.
            assert line.endswith(" |")
    header = next(line for line in text.splitlines() if line.startswith("| Label"))
    row = next(line for line in text.splitlines() if line.startswith("| &lt;b&gt;"))
    unescaped = re.compile(r"(?<!\\)\|")
    assert len(unescaped.findall(row)) == len(unescaped.findall(header))


def test_renderers_accept_saved_json(agreement: Agreement) -> None:
    saved = json.loads(json.dumps(agreement.to_json()))
    assert render_html(saved) == render_html(agreement)
    assert render_markdown(saved) == render_markdown(agreement)


@pytest.mark.parametrize(
    ("name", "marker"),
    [("report.html", "<!DOCTYPE html>"), ("r.HTM", "<!DOCTYPE html>"), ("report.md", "# ")],
)
def test_write_report_picks_format_by_suffix(
    agreement: Agreement, tmp_path: Path, name: str, marker: str
) -> None:
    path = write_report(agreement, tmp_path / name)
    text = path.read_text(encoding="utf-8")
    assert text.startswith(marker)
    assert f"{agreement.overall.exact.f1:.3f}" in text


def test_write_report_refuses_unknown_suffix(agreement: Agreement, tmp_path: Path) -> None:
    with pytest.raises(ReportError, match=r"\.txt"):
        write_report(agreement, tmp_path / "report.txt")
    assert issubclass(ReportError, AnnotatorError)
    with pytest.raises(ReportError, match="cannot write"):
        write_report(agreement, tmp_path / "missing-dir" / "report.md")


def test_empty_agreement_renders(tmp_path: Path) -> None:
    empty = compute_agreement([], ("a", "b"))
    assert "No documents." in render_html(empty)
    assert "No spans in either layer." in render_markdown(empty)
    assert "nan" not in render_html(empty).lower()
