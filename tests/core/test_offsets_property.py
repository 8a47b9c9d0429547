"""Property: any text and any valid spans survive the store with ``text[start:end]`` intact."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.store import DocumentInput, NewSpan, Project

# Pieces that break naive offset code: astral emoji, ZWJ sequences, CJK, combining marks,
# CRLF, RTL scripts with directional marks, and lone BMP letters.
PIECES = st.sampled_from(
    [
        "a",
        " ",
        "😀",
        "👩\u200d👩\u200d👧",
        "中文",
        "e\u0301",
        "\r\n",
        "\n",
        "שלום",
        "\u200f",
        "عربى",
        "𝔘",
        "Z",
    ]
)
TEXTS = st.lists(PIECES | st.text(min_size=1, max_size=3), min_size=1, max_size=40).map("".join)


@st.composite
def text_and_spans(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, str]]]:
    text = draw(TEXTS)
    bounds = st.tuples(st.integers(0, len(text) - 1), st.integers(1, len(text)))
    pairs = draw(st.lists(bounds.filter(lambda p: p[0] < p[1]), max_size=12))
    labels = st.sampled_from(["actor", "claim", "denial", "number"])
    spans = {(s, e, draw(labels)) for s, e in pairs}
    return text, sorted(spans)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=text_and_spans())
def test_spans_round_trip_through_the_file(
    tmp_path: Path, case: tuple[str, list[tuple[int, int, str]]]
) -> None:
    text, spans = case
    path = tmp_path / "prop.db"
    path.unlink(missing_ok=True)
    with Project.open(path) as project:
        project.add_documents([DocumentInput("doc", text)])
        project.add_spans([NewSpan("doc", "ann", s, e, label) for s, e, label in spans])
    with Project.open(path) as project:
        assert project.document("doc").text == text
        stored = project.spans("doc", "ann")
        assert [(s.start, s.end, s.label) for s in stored] == spans
        for span, (s, e, _) in zip(stored, spans, strict=False):
            assert span.text_in(text) == text[s:e]
