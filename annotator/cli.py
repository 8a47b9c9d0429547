"""The ``annotator`` command line (click). Headless: never imports Qt at module level.

Every user mistake ends as one line on stderr (``annotator: error: ...``) and a non-zero exit;
only bugs show a traceback. Every string that comes from a file or a project (ids, titles,
names, labels, paths) is printed through :func:`printable` (or :func:`terminal_json`), so no
escape sequence or bidi control in the data reaches the terminal. A reader that stops early
(``annotator export | head``) ends the command quietly with exit status 1; a closed stdout is
one clear line.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click

from annotator import APP_NAME, __version__
from annotator.core.errors import AnnotatorError
from annotator.core.formats.records import Cancelled
from annotator.core.formats.registry import BY_NAME, EXPORT_FORMATS, FOLDER_FORMATS, FORMATS, IMPORT_FORMATS
from annotator.core.report import printable
from annotator.core.store import Project


class AppContext:
    """What every command needs: the project path, opened lazily and closed at exit."""

    def __init__(self, db: Path | None) -> None:
        self.db = db
        self._project: Project | None = None

    @property
    def project(self) -> Project:
        if self._project is None:
            from annotator.core.importing import open_project

            self._project = open_project(self.db)
        return self._project

    @property
    def reader(self) -> Project:
        """The project for commands that only read (docs, stats, export, agree).

        An existing project is opened read-only, so these commands work on read-only files and
        folders, never change the file, and read while other programs write; a missing one (the
        default project on first use) is created first.
        """
        if self._project is None:
            from annotator.core.importing import open_project

            self._project = open_project(self.db, reading=True)
        return self._project

    def close(self) -> None:
        if self._project is not None:
            self._project.close()
            self._project = None


pass_app = click.make_pass_decorator(AppContext)


class AnnotatorGroup(click.Group):
    """A click group whose every failure is one line on stderr and a non-zero exit."""

    def main(self, args: Any = None, prog_name: str | None = None, **extra: Any) -> NoReturn:  # type: ignore[override]
        extra.pop("standalone_mode", None)
        try:
            rv = super().main(args=args, prog_name=prog_name, standalone_mode=False, **extra)
            if sys.stdout is not None:
                sys.stdout.flush()  # here, where a closed pipe is still caught below
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.exceptions.Abort as exc:
            if isinstance(exc.__cause__, KeyboardInterrupt):  # click turns Ctrl+C into Abort
                _error("interrupted")
                sys.exit(130)
            _error("aborted")
            sys.exit(1)
        except click.UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            _error(exc.format_message() + hint)
            sys.exit(2)
        except click.ClickException as exc:
            _error(exc.format_message())
            sys.exit(exc.exit_code)
        except AnnotatorError as exc:
            _error(str(exc))
            sys.exit(1)
        except KeyboardInterrupt:
            _error("interrupted")
            sys.exit(130)
        except BrokenPipeError:
            # The reader went away (``annotator export | head``): stop quietly, and keep Python
            # from failing again on the same pipe when it flushes stdout at exit.
            _discard_stdout()
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)


def _discard_stdout() -> None:
    """Point file descriptor 1 at the null device (what Python's docs advise on EPIPE)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass


#: Longest error message printed; longer ones (a huge id quoted back) are cut.
MAX_MESSAGE = 1000


def _error(message: str) -> None:
    one_line = printable(" ".join(message.split("\n")))
    if len(one_line) > MAX_MESSAGE:
        one_line = one_line[: MAX_MESSAGE - 1] + "…"
    click.echo(f"annotator: error: {one_line}", err=True)


def terminal_json(value: Any) -> str:
    """``value`` as indented JSON that is safe to print: besides the control characters JSON
    always escapes, every character :func:`printable` would escape (C1 controls, bidi and other
    format characters, separators) is written as a ``\\u`` escape, so the output parses to the
    same value."""
    lines = json.dumps(value, ensure_ascii=False, indent=2).split("\n")
    return "\n".join(
        line if line.isprintable() else "".join(ch if ch.isprintable() else _json_escape(ch) for ch in line)
        for line in lines
    )


def _json_escape(ch: str) -> str:
    units = ch.encode("utf-16-be")
    return "".join(f"\\u{int.from_bytes(units[i : i + 2], 'big'):04x}" for i in range(0, len(units), 2))


def fail(message: str) -> NoReturn:
    raise click.ClickException(message)


def _require_stdout(hint: str = "") -> None:
    """Refuse to start a command whose output would go nowhere (``annotator export >&-``)."""
    if sys.stdout is None:
        fail(f"standard output is closed: there is nowhere to print{hint}")


def _notes(lines: list[str]) -> None:
    for line in lines:
        click.echo(f"note: {printable(line)}", err=True)


@click.group(
    cls=AnnotatorGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="ANNOTATOR_DB",
    show_envvar=True,
    help="Project file to use (created if missing). Default: a project in your data folder, "
    "created with the sample article on first use.",
)
@click.option(
    "--self-test",
    is_flag=True,
    help="Start the window offscreen on a temporary project, exercise it, exit 0 if all is well.",
)
@click.version_option(__version__, "-V", "--version", prog_name=APP_NAME, message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context, db: Path | None, self_test: bool) -> None:
    """Annotator: label spans of text for machine-learning corpora.

    With no command, opens the annotation window on the project.
    """
    app = AppContext(db)
    ctx.obj = app
    ctx.call_on_close(app.close)
    if self_test:
        from annotator.gui.selftest import run_self_test

        ctx.exit(run_self_test())
    if ctx.invoked_subcommand is None:
        ctx.exit(launch_window(db))


def launch_window(db: Path | None) -> int:
    """Open the GUI; a missing Qt or display is a user-facing error, not a traceback."""
    try:
        from annotator.gui.app import run
    except ImportError as exc:
        fail(f"cannot start the window: {exc} (is PySide6-Essentials installed?)")
    return int(run(db))


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, readable=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(IMPORT_FORMATS),
    default=None,
    help="Read every input as this format. Default: detect per file (see above).",
)
@click.option(
    "--annotator",
    default=None,
    metavar="NAME",
    help="Put all spans into this annotator's layer. Default: the record's own annotator field, "
    "else the file's stem (for brat, the folder's name).",
)
@click.option("--add-labels", is_flag=True, help="Add labels the project does not have instead of refusing.")
@click.option(
    "--text-column", default=None, metavar="NAME", help="CSV/TSV: the column with the text. Default: 'text'."
)
@click.option(
    "--id-column", default=None, metavar="NAME", help="CSV/TSV: the column with the ids. Default: FILE-ROW."
)
@click.option("--title-column", default=None, metavar="NAME", help="CSV/TSV: the column with the titles.")
@pass_app
def import_command(
    app: AppContext,
    paths: tuple[Path, ...],
    fmt: str | None,
    annotator: str | None,
    add_labels: bool,
    text_column: str | None,
    id_column: str | None,
    title_column: str | None,
) -> None:
    """Import documents, and spans from training corpora, from files and folders.

    A .txt file becomes one document whose id is the file name without .txt. A JSONL file holds
    one object per line: with "text" and optional "id", "title" and "meta" it is plain documents;
    with "spans" it is Annotator's native export, with "label" doccano, with "tokens" or "answer"
    Prodigy, with "data" Label Studio tasks (a JSON array too). .conll/.bio/.iob files are CoNLL
    BIO tags (a .txt only with --format conll), .spacy files spaCy DocBins, .csv/.tsv files rows
    of documents (the text column 'text' or --text-column; the other columns are meta). A
    folder with .ann files is a brat corpus; other folders are searched recursively in sorted
    order. Re-importing the same id with the same text reuses the document; the same id with
    different text is refused. On any error nothing of the import is kept; Ctrl+C cancels the
    import and leaves the project unchanged. See docs/formats.md.
    """
    from annotator.core.formats.importer import ImportOptions, import_corpus

    _require_stdout(" what was imported; nothing was imported")
    options = ImportOptions(
        format=fmt,
        annotator=annotator,
        add_labels=add_labels,
        text_column=text_column,
        id_column=id_column,
        title_column=title_column,
    )
    project = app.project
    try:
        with _cancellable_progress("importing") as progress:
            report = import_corpus(project, paths, options, progress)
    except Cancelled:
        click.echo("annotator: cancelled; project unchanged", err=True)
        click.get_current_context().exit(130)
    message = f"imported {report.documents - report.reused} document(s)"
    if report.reused:
        message += f", {report.reused} already present"
    if report.spans:
        message += f", {report.spans:,} span(s)"
    click.echo(message)
    _notes(report.notes)
    _notes(report.summary_lines())


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=1, label=label, file=sys.stderr, show_pos=True) as bar:

        def update(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        yield update


@contextmanager
def _cancellable_progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress callback that raises :class:`Cancelled` once Ctrl+C has been pressed.

    The first Ctrl+C (SIGINT) only asks the running command to stop at its next progress call,
    where it can still roll back cleanly; a second one interrupts at once. A progress bar is
    drawn on stderr (at most 10 times a second) when stderr is a terminal; stdout stays clean.
    """
    asked = threading.Event()

    def on_interrupt(signum: int, frame: object) -> None:
        if asked.is_set():
            raise KeyboardInterrupt
        asked.set()

    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, on_interrupt) if main_thread else None
    try:
        with _progress(label) as draw:
            shown_at = 0.0

            def update(done: int, total: int) -> None:
                nonlocal shown_at
                if asked.is_set():
                    raise Cancelled
                if draw is not None:
                    now = time.monotonic()
                    if now - shown_at >= 0.1 or done >= total:
                        shown_at = now
                        draw(done, total)

            yield update
    finally:
        if main_thread:
            signal.signal(signal.SIGINT, previous)


@cli.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="jsonl",
    show_default=True,
    help="; ".join(f"{f.name}: {f.purpose}" for f in FORMATS if f.exports).replace("`", "") + ".",
)
@click.option(
    "--annotator", default=None, metavar="NAME", help="Only this annotator's layer. Default: all layers."
)
@click.option("--gold", is_flag=True, help="Only the adjudicated (gold) layer.")
@click.option("--done-only", is_flag=True, help="Only layers marked done.")
@click.option("--labels", default=None, metavar="A,B", help="Only spans with these labels.")
@click.option(
    "--split",
    default=None,
    metavar="NAME=F,...",
    help="Split by document, e.g. train=0.8,dev=0.1,test=0.1; one file or folder per split in -o FOLDER.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the split's shuffle.")
@click.option(
    "--include-untouched/--skip-untouched",
    default=None,
    help="Write (or leave out, counted) documents the layer has not touched (to do, no spans) and "
    "documents without a layer. Default: written in jsonl, whose records say their status; left "
    "out in the other formats, where a trainer would read them as having nothing to label.",
)
@click.option(
    "--prodigy-view",
    type=click.Choice(("ner_manual", "spans_manual")),
    default="ner_manual",
    show_default=True,
    help="prodigy: ner_manual tasks leave out overlapping spans (reported); spans_manual tasks keep them.",
)
@click.option(
    "--brat-line-ends",
    type=click.Choice(("keep", "lf")),
    default="keep",
    show_default=True,
    help="brat: keep texts as they are (offsets count \\r\\n as one character, as brat does), or "
    "write \\r\\n and \\r as \\n (reported).",
)
@click.option(
    "--labelstudio-config",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    metavar="FILE",
    help="labelstudio: also write Label Studio's labelling configuration (XML) for the labels to FILE.",
)
@click.option(
    "--spacy-lang",
    default="en",
    show_default=True,
    metavar="LANG",
    help="spacy: the language whose tokenizer makes the Docs' tokens (spacy.blank(LANG)).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Output file (folder for brat or --split). Default: stdout (not for the binary spacy).",
)
@pass_app
def export_command(
    app: AppContext,
    fmt: str,
    annotator: str | None,
    gold: bool,
    done_only: bool,
    labels: str | None,
    split: str | None,
    seed: int,
    include_untouched: bool | None,
    prodigy_view: str,
    brat_line_ends: str,
    labelstudio_config: Path | None,
    spacy_lang: str,
    output: Path | None,
) -> None:
    """Export documents and spans as a training corpus.

    One record per document and annotator layer; offsets are code points, end-exclusive.
    Documents a layer has not touched (to do, no spans) are left out of the training formats
    (not of jsonl) unless --include-untouched.
    What a format cannot hold (overlapping spans in CoNLL, spans off token boundaries in Prodigy,
    notes in doccano...) is counted and reported on stderr, never dropped silently, and so is
    what the format's own tool will refuse or read otherwise (warnings). The output appears only
    when complete. See docs/formats.md.
    """
    from annotator.core.formats.exporter import ExportOptions, export_corpus, parse_labels, parse_split

    options = ExportOptions(
        format=fmt,
        output=output,
        annotator=annotator,
        gold=gold,
        done_only=done_only,
        labels=parse_labels(labels) if labels is not None else None,
        split=parse_split(split) if split is not None else None,
        seed=seed,
        include_untouched=include_untouched,
        prodigy_view=prodigy_view,
        brat_line_ends=brat_line_ends,
        spacy_lang=spacy_lang,
    )
    if labelstudio_config is not None and fmt != "labelstudio":
        raise AnnotatorError("--labelstudio-config goes with --format labelstudio")
    stream: io.TextIOWrapper | None = None
    if output is None and fmt not in FOLDER_FORMATS and not BY_NAME[fmt].binary:
        _require_stdout(" the export; give -o FILE")
        stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n")
    try:
        with _progress("exporting") as progress:
            report = export_corpus(app.reader, options, stream, progress)
        if stream is not None:
            stream.flush()
    finally:
        if stream is not None:
            _detach(stream)
    where = f" to {printable(str(output))}" if output is not None else ""
    click.echo(
        f"exported {report.documents:,} document(s), {report.records:,} record(s), "
        f"{report.spans:,} span(s){where}",
        err=True,
    )
    if labelstudio_config is not None:
        from annotator.core.formats.labelstudio import labeling_config
        from annotator.core.model import LabelSet
        from annotator.core.output_files import write_text_atomically

        label_set = app.reader.labels()
        if options.labels is not None:
            label_set = LabelSet(tuple(label for label in label_set if label.name in options.labels))
        write_text_atomically(labelstudio_config, labeling_config(label_set))
        click.echo(
            f"wrote Label Studio's labelling configuration to {printable(str(labelstudio_config))}", err=True
        )
    _notes(report.summary_lines())


def _detach(stream: io.TextIOWrapper) -> None:
    """Give stdout's buffer back; if the reader has gone, what is left goes to the null device."""
    try:
        stream.detach()
    except BrokenPipeError:
        _discard_stdout()
        stream.detach()


@cli.command("docs")
@click.option("--annotator", "annotator", default=None, help="Show only this annotator's layer.")
@pass_app
def docs_command(app: AppContext, annotator: str | None) -> None:
    """List documents with each annotator's status and span count."""
    _require_stdout()
    summaries = app.reader.summaries()
    if not summaries:
        click.echo("no documents - add some with: annotator import PATH")
        return
    if annotator is not None and annotator not in app.reader.annotators():
        known = ", ".join(app.reader.annotators()) or "none yet"
        fail(f"no annotator named {annotator!r} in this project (annotators: {known})")
    width = min(max(len(s.id) for s in summaries), 32)
    for s in summaries:
        names = sorted(set(s.status) | set(s.span_counts))
        if annotator is not None:
            names = [annotator]
        layers = "  ".join(
            f"{name}: {s.status_for(name).value} ({s.span_counts.get(name, 0)})" for name in names
        )
        title = s.title if len(s.title) <= 48 else s.title[:47] + "…"
        click.echo(
            f"{printable(s.id):<{width}}  {printable(title):<48}  {s.length:>8,} chars  "
            f"{printable(layers) or 'not started'}"
        )


@cli.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@pass_app
def stats_command(app: AppContext, as_json: bool) -> None:
    """Figures about the project: documents, characters, spans per label and annotator."""
    _require_stdout()
    stats = app.reader.stats()
    if as_json:
        click.echo(terminal_json(stats))
        return
    totals = stats["totals"]
    click.echo(f"project     {printable(str(stats['project']))}")
    click.echo(f"documents   {totals['documents']:,} ({totals['characters']:,} characters)")
    click.echo(f"spans       {totals['spans']:,}")
    click.echo("labels      " + ", ".join(f"{printable(k)} {v:,}" for k, v in stats["labels"].items()))
    for name, entry in stats["annotators"].items():
        click.echo(
            f"annotator   {printable(name)}: {entry['spans']:,} spans, {entry['done']} done, "
            f"{entry['in_progress']} in progress, {entry['todo']} to do"
        )


def _split_ids(value: str | None) -> list[str] | None:
    if value is None:
        return None
    ids = list(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    if not ids:
        raise click.BadParameter("give at least one document id", param_hint="--docs")
    return ids


@cli.command("agree")
@click.argument("first")
@click.argument("second")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@click.option(
    "--docs", "doc_ids", default=None, metavar="ID,...", help="Only these documents (comma-separated ids)."
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the tables and confusion matrix to a shareable .html or .md file.",
)
@click.pass_context
def agree_command(
    ctx: click.Context, first: str, second: str, as_json: bool, doc_ids: str | None, report: Path | None
) -> None:
    """Inter-annotator agreement of annotators FIRST (A, the key) and SECOND (B).

    FIRST and SECOND are two annotator names in the project, or two native .jsonl export files
    (documents matched by id; their texts must agree). Figures cover the documents both have
    touched, or those given with --docs. Undefined figures print as n/a (null in JSON).
    """
    from annotator.core.agreement import DocumentLayers, compute_agreement
    from annotator.core.layers import layers_from_exports, layers_from_project
    from annotator.core.report import format_table

    _require_stdout()
    ids = _split_ids(doc_ids)
    docs: Iterable[DocumentLayers]
    if first.lower().endswith(".jsonl") and second.lower().endswith(".jsonl"):
        names, docs = layers_from_exports(Path(first), Path(second), ids)
    else:
        app: AppContext = ctx.obj
        names = (first, second)
        docs = layers_from_project(app.reader, first, second, ids)
    if names[0] == names[1]:
        fail(f"both layers belong to {names[0]!r}: compare two different annotators")
    agreement = compute_agreement(docs, annotators=names)  # streamed: one document at a time
    if not agreement.documents:
        _notes([f"no documents annotated by both {names[0]} and {names[1]}"])
    if report is not None:  # first, so a report that cannot be written fails before any output
        from annotator.core.report import write_report

        written = write_report(agreement, report)
        click.echo(f"report written to {printable(str(written))}", err=True)
    if as_json:
        click.echo(terminal_json(agreement.to_json()))
    else:
        click.echo(format_table(agreement), nl=False)


@cli.command("merge")
@click.argument("other", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def merge_command(app: AppContext, other: Path) -> None:
    """Copy another project's annotator layers into this one.

    Documents are matched by id and content hash: missing ones are copied, the same id with
    different text is refused. A layer this project already has with different spans is
    refused; an identical one is skipped. Labels the other project uses are added. The other
    file is only read. On any error nothing is kept.
    """
    from annotator.core.merge import merge_project

    _require_stdout(" what was merged; nothing was merged")
    click.echo(printable(merge_project(app.project, other).summary()))


# -- suggestions (docs/suggestions.md) -----------------------------------------------------------

from annotator.core.suggest.sources import SOURCE_KINDS  # noqa: E402  (the registry; light import)


@cli.command("suggest")
@click.option(
    "--source",
    "kind",
    type=click.Choice([k.name for k in SOURCE_KINDS]),
    required=True,
    help="memory: strings an annotator labelled; patterns [FILE]: a patterns file (default: the shipped "
    "one); model DIR: a model 'annotator train' made; spacy NAME: a spaCy pipeline (package or folder).",
)
@click.argument("where", required=False, metavar="[FILE|DIR|NAME]")
@click.option("--annotator", default=None, metavar="NAME", help="memory: learn from this annotator's spans.")
@click.option(
    "--gold", is_flag=True, help="memory: learn from the gold layer too (alone without --annotator)."
)
@click.option("--ignore-case", is_flag=True, help="memory: match strings whatever their case.")
@click.option(
    "--map",
    "mapping",
    default=None,
    metavar="THEIRS=ours,...",
    help="spacy: label mapping "
    "(default: PERSON/ORG/GPE/NORP=actor, CARDINAL/QUANTITY/PERCENT/MONEY=number, where the "
    "project has those labels).",
)
@click.option(
    "--threshold",
    type=float,
    default=None,
    help="model: held-out F1 a label needs to be proposed (default: the one it was trained with).",
)
@click.option("--lang", default="en", show_default=True, help="patterns: spaCy language of token patterns.")
@click.option("--docs", "doc_ids", default=None, metavar="ID,...", help="Only these documents. Default: all.")
@click.option("--layer", default=None, metavar="NAME", help="Layer to write. Default: suggest-SOURCE.")
@pass_app
def suggest_command(
    app: AppContext,
    kind: str,
    where: str | None,
    annotator: str | None,
    gold: bool,
    ignore_case: bool,
    mapping: str | None,
    threshold: float | None,
    lang: str,
    doc_ids: str | None,
    layer: str | None,
) -> None:
    """Write a suggestion source's proposals into a layer of their own.

    The layer (suggest-memory, suggest-patterns, suggest-model or suggest-spacy unless --layer) is
    replaced on the chosen documents and marked done, so 'annotator agree gold suggest-model' and
    the review window measure a source against gold. Each span records its source. A layer holding
    spans made by hand is never overwritten. See docs/suggestions.md.
    """
    from annotator.core.suggest.sources import open_source, source_kind
    from annotator.core.suggest.spacy_model import parse_mapping
    from annotator.core.suggest.writing import write_layer

    entry = source_kind(kind)
    if entry.argument is None and where is not None:
        fail(f"the {kind} source takes no {where!r} (see 'annotator suggest --help')")
    if entry.argument in ("DIR", "NAME") and where is None:
        fail(f"--source {kind} needs a {entry.argument}: annotator suggest --source {kind} {entry.argument}")
    if kind == "memory" and annotator is None and not gold:
        fail("the memory learns from an annotator's spans: give --annotator NAME (and/or --gold)")
    project = app.project
    ids = _split_ids(doc_ids)
    source = open_source(
        kind,
        project,
        annotator=annotator if annotator is not None else "gold",
        argument=where,
        include_gold=gold,
        case_sensitive=not ignore_case,
        mapping=parse_mapping(mapping) if mapping is not None else None,
        threshold=threshold,
        lang=lang,
    )
    for note in source.notes:
        click.echo(f"note: {printable(note)}", err=True)
    description = getattr(source, "description", "")
    if description:
        click.echo(description, err=True, nl=False)
    with _cancellable_progress("suggesting") as progress:
        result = write_layer(project, source, layer or entry.layer, ids, progress)
    counts = ", ".join(f"{label} {n:,}" for label, n in result.per_label.items()) or "none"
    click.echo(
        f"wrote {result.proposals:,} proposal(s) from {printable(source.name)} on {result.documents:,} "
        f"document(s) into layer {printable(result.layer)} ({counts})"
    )


@cli.command("train")
@click.option("--annotator", default=None, metavar="NAME", help="Learn from the documents NAME marked done.")
@click.option("--gold", is_flag=True, help="Learn from the documents the gold layer covers.")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Models folder (versions and current.json). Default: PROJECT.models/NAME beside the project.",
)
@click.option(
    "--iterations", type=click.IntRange(1, 1000), default=None, help="Passes over the data (default 15)."
)
@click.option(
    "--held-out", type=click.FloatRange(0.05, 0.5), default=None, help="Share held out (default 0.2)."
)
@click.option(
    "--threshold", type=click.FloatRange(0, 1), default=None, help="Held-out F1 a label needs (0.5)."
)
@click.option(
    "--component",
    type=click.Choice(["auto", "ner", "spancat"]),
    default="auto",
    show_default=True,
    help="auto: spancat where spans overlap or nest, else ner.",
)
@click.option(
    "--min-docs", type=click.IntRange(2), default=None, help="Documents needed to start (default 10)."
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed of the held-out split and training."
)
@click.option("--lang", default="en", show_default=True, help="spaCy language of the pipeline.")
@pass_app
def train_command(
    app: AppContext,
    annotator: str | None,
    gold: bool,
    output: Path | None,
    iterations: int | None,
    held_out: float | None,
    threshold: float | None,
    component: str,
    min_docs: int | None,
    seed: int,
    lang: str,
) -> None:
    """Train a spaCy model on an annotator's done documents (or gold) and print its evaluation.

    Runs in a background process at low priority; progress goes to stderr and Ctrl+C cancels.
    Part of the documents is held out and the model is scored on it (P/R/F1 per label, saved
    with the model); labels below the threshold are not proposed. A new version becomes current
    only when complete: a cancelled, crashed or killed training leaves the previous model in use.
    Needs spaCy (pip install 'annotator[suggest]'). See docs/suggestions.md.
    """
    from annotator.core.model import GOLD_LAYER
    from annotator.core.suggest import training as tr

    if gold == (annotator is not None):
        fail("name whose spans to learn from: --annotator NAME or --gold")
    from annotator.core.suggest.spacy_support import require_spacy

    require_spacy("training a model")
    layer = GOLD_LAYER if gold else str(annotator)
    project = app.reader
    settings = tr.TrainingSettings(
        layer=layer,
        labels=tuple(project.labels().names),
        lang=lang,
        iterations=iterations if iterations is not None else tr.ITERATIONS,
        held_out=held_out if held_out is not None else tr.HELD_OUT,
        seed=seed,
        threshold=threshold if threshold is not None else tr.THRESHOLD,
        component=component,
        min_documents=min_docs if min_docs is not None else tr.MIN_DOCUMENTS,
    )
    folder = output if output is not None else tr.default_models_folder(project, layer)
    documents = tr.collect(project, layer, settings.labels)
    job = tr.TrainingJob.start(documents, settings, folder)
    click.echo(
        f"training on {len(documents)} document(s) of {printable(layer)} into {printable(str(folder))}",
        err=True,
    )
    final = _follow_training(job)
    if final.kind == "cancelled":
        click.echo(f"annotator: {final.message}", err=True)
        click.get_current_context().exit(130)
    if final.kind != "done":
        fail(final.message)
    model = tr.open_model(folder, project.labels().names)
    click.echo(model.describe(), nl=False)


def _follow_training(job: Any) -> Any:
    """Show a training job's progress on stderr; the first Ctrl+C cancels it."""
    asked = threading.Event()

    def on_interrupt(signum: int, frame: object) -> None:
        if asked.is_set():
            raise KeyboardInterrupt
        asked.set()
        job.cancel()

    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, on_interrupt) if main_thread else None
    try:
        with _progress("training") as draw:
            for event in job.events():
                if event.kind == "started":
                    click.echo(
                        f"{event.message}: {event.data.get('train')} document(s) to learn from, "
                        f"{event.data.get('held_out')} held out",
                        err=True,
                    )
                elif event.kind == "progress" and draw is not None:
                    draw(event.step, event.total)
        return job.final
    finally:
        if main_thread:
            signal.signal(signal.SIGINT, previous)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=argv, prog_name="annotator")


if __name__ == "__main__":
    main()
