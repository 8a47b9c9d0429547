"""Agreement reports a person can read or share: self-contained HTML, or Markdown.

Both renderers work from the JSON form of an agreement (``Agreement.to_json()``), so a saved
JSON result can be rendered later just as well as a fresh :class:`Agreement`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from annotator import APP_NAME, __version__
from annotator.core.agreement import NO_SPAN, Agreement
from annotator.core.errors import AnnotatorError
from annotator.core.output_files import write_text_atomically

__all__ = [
    "ReportError",
    "format_number",
    "format_table",
    "printable",
    "render_html",
    "render_markdown",
    "write_report",
]

AgreementLike = Agreement | Mapping[str, Any]

HTML_SUFFIXES = (".html", ".htm")
MARKDOWN_SUFFIXES = (".md", ".markdown")


class ReportError(AnnotatorError):
    """The report cannot be written (unknown format or an unwritable path)."""


def _data(agreement: AgreementLike) -> Mapping[str, Any]:
    return agreement.to_json() if isinstance(agreement, Agreement) else agreement


def _num(value: Any) -> str:
    return format_number(value if value is None else float(value))


def _count(value: Any) -> str:
    return str(int(value))


def _prf_cells(prf: Mapping[str, Any]) -> list[str]:
    return [_num(prf["precision"]), _num(prf["recall"]), _num(prf["f1"])]


def _label_rows(data: Mapping[str, Any]) -> list[list[str]]:
    return [
        [
            name,
            _count(figs["exact"]["a"]),
            _count(figs["exact"]["b"]),
            *_prf_cells(figs["exact"]),
            _num(figs["lenient"]["f1"]),
            _num(figs["kappa"]),
            _num(figs["alpha_u"]),
        ]
        for name, figs in data["labels"].items()
    ]


LABEL_HEADER = ["Label", "A spans", "B spans", "P", "R", "F1", "Lenient F1", "Kappa", "αU"]


def _document_rows(data: Mapping[str, Any]) -> list[list[str]]:
    return [
        [
            doc_id,
            _count(figs["exact"]["a"]),
            _count(figs["exact"]["b"]),
            _num(figs["exact"]["f1"]),
            _num(figs["lenient"]["f1"]),
            _num(figs["char_kappa"]),
            _num(figs["char_alpha"]),
            _num(figs["alpha_u"]),
        ]
        for doc_id, figs in data["per_document"].items()
    ]


DOCUMENT_HEADER = ["Document", "A spans", "B spans", "Exact F1", "Lenient F1", "κ", "α", "αU"]

EXPLANATION = (
    "A is the key and B the response: precision is the share of B's spans that A has, recall "
    "the share of A's spans that B has. Exact spans match in start, end and label; lenient "
    "spans share at least one character and the label (one-to-one, maximum matching). κ and α "
    "are Cohen's kappa and Krippendorff's nominal alpha over characters (label or outside); "
    "αU is Krippendorff's unitizing alpha with the documents laid end to end. "
    "n/a marks a figure that is undefined for these data."
)


# --------------------------------------------------------------------------------------------
# Plain text, for a terminal
# --------------------------------------------------------------------------------------------


def printable(text: str) -> str:
    """``text`` safe for one terminal line: control, format and separator characters escaped.

    Ids, titles, names and labels come from files and can hold anything: a line break, an ANSI
    escape sequence, a bidi override that reorders what the terminal shows. Letters of every
    script are kept as they are.
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in text)


def format_number(value: float | None, digits: int = 3) -> str:
    """A figure to show: fixed decimals, or 'n/a' where it is undefined."""
    return "n/a" if value is None else f"{value:.{digits}f}"


def _text_table(header: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> list[str]:
    """Aligned columns; the first ``left`` columns are left-aligned, the rest right."""
    widths = [len(h) for h in header]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=False)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.ljust(w) if k < left else cell.rjust(w)
            for k, (cell, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def format_table(agreement: Agreement) -> str:
    """The agreement as plain-text tables for a terminal; undefined figures read 'n/a'.

    Names and labels are escaped with :func:`printable` (they may come from any file).
    """
    f = format_number
    a_name, b_name = map(printable, agreement.annotators)
    o = agreement.overall
    out = [
        f"Agreement of {a_name} (A, key) and {b_name} (B, response) "
        f"over {agreement.documents} document{'s' if agreement.documents != 1 else ''}",
        "",
    ]
    out += _text_table(
        ["overall", "P", "R", "F1", "TP", "A", "B"],
        [
            [name, f(prf.precision), f(prf.recall), f(prf.f1), str(prf.tp), str(prf.a), str(prf.b)]
            for name, prf in (("exact spans", o.exact), ("lenient spans", o.lenient))
        ],
    )
    out += [
        "",
        f"character kappa (Cohen)          {f(o.char_kappa)}",
        f"character alpha (Krippendorff)   {f(o.char_alpha)}",
        f"unitizing alpha (Krippendorff)   {f(o.alpha_u)}",
        "",
    ]
    label_rows = [
        [
            name,
            str(lf.exact.a),
            str(lf.exact.b),
            f(lf.exact.precision),
            f(lf.exact.recall),
            f(lf.exact.f1),
            f(lf.lenient.f1),
            f(lf.kappa),
            f(lf.alpha_u),
        ]
        for name, lf in ((printable(name), lf) for name, lf in agreement.labels.items())
    ]
    if label_rows:
        out += _text_table(["label", "A", "B", "P", "R", "F1", "lenient F1", "kappa", "alpha_u"], label_rows)
        out.append("")
    conf = agreement.confusion
    out.append(f"confusion (rows: {a_name} = A, columns: {b_name} = B; {NO_SPAN} = no span)")
    out += _text_table(
        ["A \\ B", *map(printable, conf.labels)],
        [[printable(row), *(str(conf.count(row, col)) for col in conf.labels)] for row in conf.labels],
    )
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

_CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: #1d1d1f; margin: 2rem auto; max-width: 72rem; padding: 0 1.5rem; }
h1 { font-size: 1.6rem; margin-bottom: .25rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
p.meta, p.note, footer { color: #555; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { padding: .3rem .6rem; border: 1px solid #ddd; }
th { background: #f4f4f6; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
table.heat td.n { min-width: 3rem; text-align: center; }
table.heat th.corner { background: #fff; color: #777; font-weight: normal; }
.na { color: #999; }
footer { margin-top: 2rem; font-size: .85rem; }
""".strip()


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _cell(text: str, numeric: bool = True) -> str:
    if text == "n/a":
        return '<td class="n na">n/a</td>'
    return f'<td class="n">{_esc(text)}</td>' if numeric else f"<td>{_esc(text)}</td>"


def _html_table(header: list[str], rows: list[list[str]], text_columns: int = 1) -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(_cell(c, k >= text_columns) for k, c in enumerate(row)) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _heat_colour(share: float, diagonal: bool) -> str:
    """Green for agreement, red for confusion; the deeper, the larger the row's share."""
    hue = 140 if diagonal else 4
    lightness = 97 - 45 * share
    return f"hsl({hue}, 65%, {lightness:.0f}%)"


def _html_confusion(data: Mapping[str, Any]) -> str:
    confusion = data["confusion"]
    labels: list[str] = list(confusion["labels"])
    matrix: Mapping[str, Mapping[str, Any]] = confusion["matrix"]
    a_name, b_name = data["annotators"]
    head = f'<th class="corner">{_esc(a_name)} ↓ · {_esc(b_name)} →</th>' + "".join(
        f"<th>{_esc(col)}</th>" for col in labels
    )
    rows = []
    for row in labels:
        cells = matrix.get(row, {})
        total = sum(int(cells.get(col, 0)) for col in labels)
        tds = []
        for col in labels:
            count = int(cells.get(col, 0))
            share = count / total if total else 0.0
            diagonal = row == col and row != NO_SPAN
            style = f"background: {_heat_colour(share, diagonal)}" if count else ""
            title = f"{a_name}: {row}, {b_name}: {col}: {count} ({share:.1%} of the row)"
            tds.append(f'<td class="n" style="{style}" title="{_esc(title)}">{count}</td>')
        rows.append(f"<tr><th>{_esc(row)}</th>{''.join(tds)}</tr>")
    return (
        f'<table class="heat"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
        f'<p class="note">Spans paired by position: same start and end first, then the largest '
        f"overlap. {_esc(NO_SPAN)} marks a span without a counterpart. Colour depth is the "
        f"share of the row.</p>"
    )


def render_html(agreement: AgreementLike) -> str:
    """A self-contained HTML page (inline CSS, no scripts, nothing fetched)."""
    data = _data(agreement)
    a_name, b_name = data["annotators"]
    overall = data["overall"]
    docs = int(data["documents"])
    overall_rows = [
        [
            name,
            *_prf_cells(overall[key]),
            _count(overall[key]["tp"]),
            _count(overall[key]["a"]),
            _count(overall[key]["b"]),
        ]
        for name, key in (("Exact spans", "exact"), ("Lenient spans", "lenient"))
    ]
    coefficient_rows = [
        ["Character κ (Cohen)", _num(overall["char_kappa"])],
        ["Character α (Krippendorff, nominal)", _num(overall["char_alpha"])],
        ["Unitizing αU (Krippendorff)", _num(overall["alpha_u"])],
    ]
    title = f"Agreement: {a_name} and {b_name}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(title)}</title><style>{_CSS}</style></head><body>",
        "<h1>Inter-annotator agreement</h1>",
        f'<p class="meta">A (key): <strong>{_esc(a_name)}</strong> · B (response): '
        f"<strong>{_esc(b_name)}</strong> · {docs} document{'s' if docs != 1 else ''}</p>",
        "<h2>Overall</h2>",
        _html_table(["", "P", "R", "F1", "TP", "A spans", "B spans"], overall_rows),
        _html_table(["Coefficient", "Value"], coefficient_rows),
        f'<p class="note">{_esc(EXPLANATION)}</p>',
        "<h2>Per label</h2>",
        _html_table(LABEL_HEADER, _label_rows(data))
        if data["labels"]
        else "<p>No spans in either layer.</p>",
        "<h2>Confusion matrix</h2>",
        _html_confusion(data),
        "<h2>Per document</h2>",
        _html_table(DOCUMENT_HEADER, _document_rows(data))
        if data["per_document"]
        else "<p>No documents.</p>",
        f"<footer>Written by {_esc(APP_NAME)} {_esc(__version__)}.</footer>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


# --------------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------------

_MD_SPECIAL = "\\`*_[]<>|~"


def _md(text: Any) -> str:
    """Text safe inside a Markdown table cell: specials escaped, HTML characters as entities."""
    out = []
    for ch in str(text):
        if ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch in _MD_SPECIAL:
            out.append("\\" + ch)
        elif ch in "\r\n":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def _md_table(header: list[str], rows: list[list[str]], text_columns: int = 1) -> list[str]:
    align = ["---" if k < text_columns else "--:" for k in range(len(header))]
    return [
        "| " + " | ".join(_md(h) for h in header) + " |",
        "| " + " | ".join(align) + " |",
        *("| " + " | ".join(_md(c) for c in row) + " |" for row in rows),
    ]


def render_markdown(agreement: AgreementLike) -> str:
    """The same report as Markdown tables (for a README, an issue or a pull request)."""
    data = _data(agreement)
    a_name, b_name = data["annotators"]
    overall = data["overall"]
    docs = int(data["documents"])
    lines = [
        "# Inter-annotator agreement",
        "",
        f"A (key): **{_md(a_name)}** · B (response): **{_md(b_name)}** · "
        f"{docs} document{'s' if docs != 1 else ''}",
        "",
        "## Overall",
        "",
    ]
    lines += _md_table(
        ["", "P", "R", "F1", "TP", "A spans", "B spans"],
        [
            [
                name,
                *_prf_cells(overall[key]),
                _count(overall[key]["tp"]),
                _count(overall[key]["a"]),
                _count(overall[key]["b"]),
            ]
            for name, key in (("Exact spans", "exact"), ("Lenient spans", "lenient"))
        ],
    )
    lines += [""]
    lines += _md_table(
        ["Coefficient", "Value"],
        [
            ["Character κ (Cohen)", _num(overall["char_kappa"])],
            ["Character α (Krippendorff, nominal)", _num(overall["char_alpha"])],
            ["Unitizing αU (Krippendorff)", _num(overall["alpha_u"])],
        ],
    )
    lines += ["", EXPLANATION, "", "## Per label", ""]
    if data["labels"]:
        lines += _md_table(LABEL_HEADER, _label_rows(data))
    else:
        lines.append("No spans in either layer.")
    confusion = data["confusion"]
    labels = list(confusion["labels"])
    matrix = confusion["matrix"]
    lines += [
        "",
        "## Confusion matrix",
        "",
        f"Rows: {_md(a_name)} (A), columns: {_md(b_name)} (B); {NO_SPAN} marks a span without a counterpart.",
        "",
    ]
    lines += _md_table(
        ["A \\ B", *labels],
        [[row, *(_count(matrix.get(row, {}).get(col, 0)) for col in labels)] for row in labels],
    )
    lines += ["", "## Per document", ""]
    if data["per_document"]:
        lines += _md_table(DOCUMENT_HEADER, _document_rows(data))
    else:
        lines.append("No documents.")
    lines += ["", f"Written by {_md(APP_NAME)} {_md(__version__)}."]
    return "\n".join(lines) + "\n"


def write_report(agreement: AgreementLike, path: str | Path) -> Path:
    """Write HTML (.html, .htm) or Markdown (.md, .markdown), chosen by the file's suffix.

    Written as exports are (:func:`~annotator.core.output_files.write_text_atomically`): the
    report appears only when complete, and a failure leaves the previous report as it was.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix in HTML_SUFFIXES:
        text = render_html(agreement)
    elif suffix in MARKDOWN_SUFFIXES:
        text = render_markdown(agreement)
    else:
        raise ReportError(
            f"{target}: unknown report format {suffix or '(no suffix)'!r}; use .html, .htm or .md"
        )
    try:
        write_text_atomically(target, text)
    except OSError as error:
        raise ReportError(f"{target}: cannot write the report: {error.strerror or error}") from error
    return target
