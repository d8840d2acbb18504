"""The ``pii-scan`` command line: parse options, call the library, format the result."""

from __future__ import annotations

import codecs
import contextlib
import io
import json
import os
import stat
import sys
import tempfile

import click

from . import __version__

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_GATE = 0, 1, 2, 3
TIER_ORDER = {"none": 0, "general": 1, "sensitive": 2}
MASKING_MODES = ("mask", "hash", "redact", "none")  # pii_scan.report.mask.MODES


def saved_report_masking(command):
    """``--masking``, ``--reveal`` and ``--key-env`` of the commands that read a saved report."""
    options = [
        click.option(
            "--masking",
            type=click.Choice(MASKING_MODES),
            default=None,
            help="Mask the values of a report saved with --masking none (default: mask them).",
        ),
        click.option(
            "--reveal", is_flag=True, help="Show a revealed report's raw values as saved."
        ),
        click.option(
            "--key-env",
            default="PII_SCAN_KEY",
            show_default=True,
            metavar="VAR",
            help="Environment variable holding the secret key for --masking hash.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, prog_name="pii-scan")
def cli() -> None:
    """Find and classify personal information (PIPL / GB/T 35273 / GB/T 45574) in data files.

    \b
    Example:
      pii-scan scan samples/
      pii-scan scan data/ --format json -o report.json --findings findings.jsonl
      pii-scan recognizers
    """


@cli.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "jsonl", "csv", "html", "md"]),
    default="table",
    show_default=True,
    help="Output format (jsonl = findings; html/md = the inventory document).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the output to FILE instead of standard output.",
)
@click.option(
    "--findings",
    type=click.Path(dir_okay=False, writable=True),
    help="Stream every finding as a JSON line to FILE while scanning.",
)
@click.option(
    "--sample-rows",
    type=click.IntRange(min=0),
    default=None,
    help="Rows read per table (the first N; 0 = every row). Default: 10000.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Scan sources in N processes (report order stays the same).",
)
@click.option(
    "--policy",
    default="gbt35273",
    show_default=True,
    help="gbt35273, gbt45574, gdpr, or a policy file.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["none", "general", "sensitive"]),
    default="none",
    show_default=True,
    help="Exit with code 3 when a column at or above this tier is found.",
)
@click.option(
    "--decisions",
    type=click.Path(exists=True, dir_okay=False),
    help="Apply a reviewed-decisions file (TOML; see docs/decisions.md).",
)
@click.option("--include", multiple=True, metavar="GLOB", help="Only scan files matching GLOB.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files matching GLOB.")
@click.option("--encoding", default=None, help="Force the text encoding (default: detected).")
@click.option("--reveal", is_flag=True, help="Show raw matched values (= --masking none).")
@click.option(
    "--masking",
    type=click.Choice(MASKING_MODES),
    default="mask",
    show_default=True,
    help="How values are shown: mask (110***********1234), hash (h:…, HMAC-SHA256 with the "
    "key in --key-env, joinable across reports), redact (no value), none (raw).",
)
@click.option(
    "--key-env",
    default="PII_SCAN_KEY",
    show_default=True,
    metavar="VAR",
    help="Environment variable holding the secret key for --masking hash.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "spark"]),
    default="local",
    show_default=True,
    help="Where the scan runs (spark: pii-scan[spark], docs/spark.md; --findings is a folder).",
)
@click.option(
    "--spark-master",
    metavar="URL",
    default=None,
    help="Spark master for --engine spark (default: local[*], or spark-submit's).",
)
@click.option(
    "--spark-conf",
    multiple=True,
    metavar="KEY=VALUE",
    help="A Spark setting for --engine spark (repeatable).",
)
@click.option(
    "--max-expand-ratio",
    type=click.FloatRange(min=0),
    default=100.0,
    show_default=True,
    help="Refuse a compressed source that expands more than N times its size (0 = no limit).",
)
@click.option(
    "--max-expand-size",
    default="16G",
    show_default=True,
    metavar="SIZE",
    help="Refuse a compressed source that expands past SIZE (500M, 16G; 0 = no limit).",
)
@click.option(
    "--source-timeout",
    type=click.FloatRange(min=0),
    default=None,
    metavar="SECONDS",
    help="Stop a source that takes longer than this (an error entry; the rest is scanned; "
    "0 = no limit). Default: 600, none with --sample-rows 0.",
)
@click.option(
    "--source-memory",
    default="1G",
    show_default=True,
    metavar="SIZE",
    help="Memory budget of one source: a line, CSV row or JSON value longer than SIZE/64 "
    "(16 MiB for 1G) stops that source with an error entry (0 = the readers' 64 MiB caps).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Exit with code 1 when any source could not be read (default: listed, exit 0).",
)
@click.option(
    "--state",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Checkpoint finished sources in FILE (SQLite); rerun with it to resume a killed scan.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar on the terminal.")
def scan(
    paths,
    fmt,
    output,
    findings,
    sample_rows,
    workers,
    policy,
    fail_on,
    decisions,
    include,
    exclude,
    encoding,
    reveal,
    masking,
    key_env,
    engine,
    spark_master,
    spark_conf,
    max_expand_ratio,
    max_expand_size,
    source_timeout,
    source_memory,
    strict,
    state,
    quiet,
) -> None:
    """Scan files, folders and globs for personal information.

    \b
    Example:
      pii-scan scan samples/ --fail-on sensitive
      pii-scan scan 'lake/**/*.parquet' --sample-rows 0 --format json -o report.json
      pii-scan scan s3://lake/raw/ dumps/shop.sql.gz --workers 4 --strict
    """
    from .catalog import CatalogError
    from .progress import Progress
    from .report.writers import WRITERS, write_json
    from .scan import ScanOptions
    from .sources.inputs import parse_size

    try:
        _expand_size = parse_size(max_expand_size)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--max-expand-size") from None
    try:
        _source_memory = parse_size(source_memory)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--source-memory") from None
    masking, mask_key = _masking(masking, reveal, key_env)
    if engine == "spark":
        _warn_local_budgets(click.get_current_context())
    if engine == "spark" and masking not in ("mask", "none"):
        raise click.UsageError(f"--masking {masking} is not supported with --engine spark yet")
    if state and engine == "spark":
        raise click.UsageError("--state works with --engine local only")
    progress = None if quiet else Progress()  # draws only when stderr is a terminal
    options = ScanOptions(
        policy=policy,
        sample_rows=sample_rows,
        reveal=masking == "none",  # --reveal or --masking none
        masking=masking,
        mask_key=mask_key,
        include=include,
        exclude=exclude,
        encoding=encoding,
        workers=workers,
        max_expand_ratio=max_expand_ratio,
        max_expand_bytes=_expand_size,
        source_timeout=source_timeout,
        source_memory=_source_memory,
    )
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise click.BadParameter(
                f"unknown encoding {encoding!r}", param_hint="--encoding"
            ) from None
    # The report replaces -o's file only once it is whole: an interrupted or failed run leaves
    # the previous report. (JSON Lines findings are written as they come, as --findings.)
    out = _open_output(output, "-o/--output", whole=fmt != "jsonl") if output else sys.stdout
    findings_fh = None
    written = False
    try:
        if fmt == "jsonl":
            findings_fh = out
        elif findings and engine != "spark":  # Spark writes its own part files
            findings_fh = _open_output(findings, "--findings")
        try:
            reviewed = _load_decisions(decisions)
            if engine == "spark":
                report = _scan_spark(
                    paths, options, findings_fh, findings, spark_master, spark_conf
                )
            else:
                report = _scan_local(paths, options, findings_fh, progress, state)
            if decisions:
                report = _apply_decisions(report, reviewed, decisions, policy)
        except CatalogError as exc:
            raise click.UsageError(str(exc)) from None
        if fmt == "table":
            out.write(WRITERS["table"](report, color=out.isatty()))
        elif fmt == "json":
            write_json(report, out)
        elif fmt != "jsonl":
            out.write(WRITERS[fmt](report))
        written = True
    finally:
        if findings_fh is not None and findings_fh is not out:
            findings_fh.close()
        if isinstance(out, _WholeFile):
            out.finish(written)
        elif out is not sys.stdout:
            out.close()
    _gate(report, fail_on)
    if strict and report["errors"]:
        click.echo(f"--strict: {len(report['errors'])} source(s) could not be read", err=True)
        sys.exit(EXIT_INTERNAL)


def _open_output(path: str, option: str, *, whole: bool = False):
    """``path`` opened for writing; a usage error (exit 2) before any work when it cannot be,
    e.g. a folder that does not exist. ``whole``: written to a temporary file beside it that
    replaces it when finished (:class:`_WholeFile`)."""
    try:
        if whole and _regular_or_new(path):
            return _WholeFile(path)
        return open(path, "w", encoding="utf-8")
    except OSError as exc:
        raise click.BadParameter(
            f"cannot write {path}: {exc.strerror or exc}", param_hint=option
        ) from None


def _regular_or_new(path: str) -> bool:
    """Is ``path`` (followed through links) a regular file, or nothing yet? A device, FIFO or
    socket (``-o /dev/null``, ``-o /dev/stdout``) is written to, never replaced."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        return True


class _WholeFile(io.TextIOWrapper):
    """A text file written under a temporary name in the target's folder; :meth:`finish`
    renames it to the target when the output is complete, or removes it, so that the target
    is only ever replaced by a whole output."""

    def __init__(self, path: str) -> None:
        path = os.path.realpath(path)  # a link to the report stays a link
        folder, name = os.path.split(path)
        fd, self._tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self._tmp, 0o666 & ~umask)  # as open() would make it, not mkstemp's 0600
        super().__init__(os.fdopen(fd, "wb"), encoding="utf-8")
        self._path = path

    def finish(self, complete: bool) -> None:
        self.close()
        if complete:
            os.replace(self._tmp, self._path)
        else:
            with contextlib.suppress(OSError):
                os.unlink(self._tmp)


def _masking(mode: str, reveal: bool, key_env: str):
    """The masking mode (``--reveal`` is ``none``) and, for ``hash``, the key from ``key_env``;
    a usage error when the key is missing."""
    if reveal:
        if mode not in ("mask", "none"):
            raise click.UsageError(f"--reveal and --masking {mode} contradict each other")
        return "none", None
    if mode != "hash":
        return mode, None
    from .report.mask import SecretKey

    secret = os.environ.get(key_env, "")
    if not secret:
        raise click.UsageError(f"--masking hash needs a secret key in ${key_env} (--key-env)")
    return mode, SecretKey(secret)


def _remask(report: dict, masking: str | None, reveal: bool, key_env: str) -> dict:
    """``report``/``explain``: mask the values of a report saved with ``--masking none``
    (unless ``--reveal``/``--masking none``); other reports are shown as saved."""
    from .report.mask import make_masker, remask_report

    mode, secret = _masking(masking or "mask", reveal, key_env)
    return remask_report(report, make_masker(mode, secret))


def _arrow_without_pandas() -> None:
    """Spare a scan pyarrow's import of pandas (0.2-0.4 s of every run).

    pyarrow imports pandas the first time it is handed a Python or NumPy object, only to ask
    whether that is a pandas object; a scan never has one. So pyarrow looks once while
    ``import pandas`` fails, and remembers "no pandas" for this process. pandas itself stays
    importable; only pyarrow's own pandas conversions, which a scan does not use, are off.
    """
    if "pandas" in sys.modules:
        return
    import pyarrow as pa

    class NoPandas:  # a finder that refuses pandas while pyarrow looks
        @staticmethod
        def find_spec(name, path=None, target=None):
            if name.partition(".")[0] == "pandas":
                raise ImportError("a scan does not use pandas")

    sys.meta_path.insert(0, NoPandas)
    try:
        pa.array([0])
    finally:
        sys.meta_path.remove(NoPandas)


class ScanStopped(SystemExit):
    """An interrupted scan's exit (143 after SIGTERM, 130 after Ctrl-C), which :func:`main`
    makes directly once the files are closed: CPython ends a ``python -m`` run by SIGINT
    instead when a KeyboardInterrupt ever went through code that an extension module ran
    with ``PyRun_String``, even though the scan handled it."""


def _scan_local(paths, options, findings, progress, state: str | None) -> dict:
    """The ``--engine local`` scan, with ``--state``; Ctrl-C and SIGTERM end it cleanly
    (workers stopped, findings file whole) with a line saying how to resume."""
    import shlex
    import signal
    import threading

    from .memory import tune_for_scans
    from .scan import ScanInterrupted, scan_paths
    from .state import ScanState, StateError

    _arrow_without_pandas()
    tune_for_scans()
    store = None
    if state:
        store = ScanState(state, log=lambda msg: click.echo(f"pii-scan: {msg}", err=True))
    signals: list[int] = []
    stop = threading.Event()

    def on_signal(signum, frame):
        signals.append(signum)
        stop.set()  # in case the exception below is lost on its way (scan_paths)
        raise KeyboardInterrupt

    handled = [signal.SIGTERM]
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not when ignored
        handled.append(signal.SIGINT)
    main_thread = threading.current_thread() is threading.main_thread()
    previous = {s: signal.signal(s, on_signal) for s in handled} if main_thread else {}
    try:
        return scan_paths(
            paths, options, findings=findings, progress=progress, state=store, stop=stop
        )
    except StateError as exc:
        raise click.UsageError(str(exc)) from None
    except ScanInterrupted as exc:
        done = f"interrupted after {exc.done} of {exc.total} sources"
        if state:
            argv = list(sys.argv[1:])
            if "--state" not in argv and not any(a.startswith("--state=") for a in argv):
                argv += ["--state", state]
            click.echo(
                f"pii-scan: {done} (recorded in {state}); resume with: "
                f"{shlex.join(['pii-scan', *argv])}",
                err=True,
            )
        else:
            click.echo(
                f"pii-scan: {done}; nothing was recorded: scan with --state FILE to make "
                "a scan resumable",
                err=True,
            )
        raise ScanStopped(128 + (signals[0] if signals else signal.SIGINT)) from None
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


#: Budgets kept by the local readers, which Spark's readers do not use.
_LOCAL_BUDGETS = ("max_expand_ratio", "max_expand_size", "source_timeout", "source_memory")


def _warn_local_budgets(ctx: click.Context) -> None:
    """Say so when a per-source budget is given with ``--engine spark``: it bounds only the
    sources scanned on the driver by the local engine (JSON documents, spreadsheets, dumps…)."""
    given = [
        "--" + name.replace("_", "-")
        for name in _LOCAL_BUDGETS
        if ctx.get_parameter_source(name) not in (None, click.core.ParameterSource.DEFAULT)
    ]
    if given:
        click.echo(
            f"pii-scan: {', '.join(given)} bound only the sources read on the driver by the "
            "local engine; files read by Spark are bounded by Spark's own settings "
            "(spark.executor.memory, spark.task.maxFailures), docs/spark.md",
            err=True,
        )


def _scan_spark(paths, options, stream, folder, master, conf_items) -> dict:
    """The ``--engine spark`` branch: findings go to ``stream`` (``--format jsonl``) or are
    written by Spark as part files in ``folder`` (Parquet when it ends in ``.parquet``)."""
    from . import spark as engine

    conf = {}
    for item in conf_items:
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise click.BadParameter(f"expected KEY=VALUE, got {item!r}", param_hint="--spark-conf")
        conf[key.strip()] = value
    fmt = "parquet" if folder and folder.rstrip("/").endswith(".parquet") else "json"
    try:
        session = engine.session(master, conf)
    except ImportError as exc:  # PySpark is an optional extra
        raise click.UsageError(str(exc)) from None
    try:
        return engine.scan_paths(
            paths, options, stream, spark=session, findings_path=folder, findings_format=fmt
        )
    except engine.OutputExists as exc:
        raise click.UsageError(str(exc)) from None


def _gate(report: dict, fail_on: str) -> None:
    if fail_on == "none":
        return
    tripped = [
        (s["path"], t["name"], c["name"], c["entity"], c["tier"])
        for s in report["sources"]
        for t in s["tables"]
        for c in t["columns"]
        if c["tier"] and TIER_ORDER[c["tier"]] >= TIER_ORDER[fail_on]
    ]
    if tripped:
        click.echo(
            f"--fail-on {fail_on}: {len(tripped)} column(s) at or above '{fail_on}':", err=True
        )
        for path, table, column, entity, tier in tripped[:20]:
            click.echo(f"  {path} :: {table}.{column}: {entity} ({tier})", err=True)
        if len(tripped) > 20:
            click.echo(f"  … and {len(tripped) - 20} more", err=True)
        sys.exit(EXIT_GATE)


def _load_decisions(path: str | None) -> list:
    if not path:
        return []
    from .decisions import DecisionsError, load_decisions

    try:
        return load_decisions(path)
    except DecisionsError as exc:
        raise click.UsageError(str(exc)) from None


def _apply_decisions(report: dict, reviewed: list, path: str, policy: str | None) -> dict:
    """Apply reviewed decisions; stale ones are listed on stderr (and in the report)."""
    from .catalog import CatalogError
    from .classify.policy import load_policy
    from .decisions import DecisionsError, apply

    try:
        pol = load_policy(policy) if policy else None
        report = apply(report, reviewed, policy=pol, file=path)
    except (DecisionsError, CatalogError) as exc:
        raise click.UsageError(str(exc)) from None
    for st in report["decisions"]["stale"]:
        where = f"{st['table']}.{st['column']}" if st.get("table") else st["decision"]
        click.echo(
            f"decisions: stale ({st['status']}): {where} = {st['verdict']}: {st['detail']}",
            err=True,
        )
    return report


def _read_report(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            report = json.load(fh)
    except (OSError, ValueError) as exc:
        raise click.UsageError(f"cannot read report {path}: {exc}") from None
    if not isinstance(report, dict) or not str(report.get("schema", "")).startswith(
        "pii-scan/report/"
    ):
        raise click.UsageError(f"{path} is not a pii-scan report (schema pii-scan/report/v1)")
    return report


@cli.command(context_settings=CONTEXT)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--policy",
    default="gbt35273",
    show_default=True,
    help="Policy whose tiers and categories are shown.",
)
def recognizers(fmt, policy) -> None:
    """List the recognizer catalog: entity, names, category, tier, validator, example.

    \b
    Example:
      pii-scan recognizers --format json
    """
    from .catalog import CatalogError, load_catalog
    from .classify.policy import categories, load_policy
    from .report.mask import mask
    from .report.terminal import display_width, pad
    from .scan import scan_text

    try:
        cat, pol, cats = load_catalog(), load_policy(policy), categories()
    except CatalogError as exc:
        raise click.BadParameter(str(exc), param_hint="--policy") from None
    rows = []
    for r in cat:
        example = ""
        for text in r.positive:
            found = [f for f in scan_text(text) if f["entity"] == r.entity]
            if found:
                example = mask(found[0]["value"], r.entity)
                break
        category = pol.category(r.entity)
        rows.append(
            {
                "id": r.id,
                "entity": r.entity,
                "name_zh": r.name_zh,
                "name_en": r.name_en,
                "category": category,
                "category_zh": cats.get(category, {}).get("zh", ""),
                # a look-alike reports nothing: it only keeps its look-alikes from being reported
                "tier": None if r.lookalike else pol.tier(r.entity, r.id),
                "lookalike": r.lookalike,
                "validator": r.validator,
                "kind": r.kind,
                "standard": r.standard,
                "example": example,
            }
        )
    if fmt == "json":
        click.echo(
            json.dumps(
                {"catalog_version": cat.version, "policy": pol.name, "recognizers": rows},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    keys = ("id", "entity", "name_zh", "name_en", "category_zh", "tier", "validator", "example")
    table = [keys, *[tuple(str(row[k] or "-") for k in keys) for row in rows]]
    widths = [max(display_width(t[i]) for t in table) for i in range(len(keys))]
    for n, t in enumerate(table):
        click.echo("  ".join(pad(c, w) for c, w in zip(t, widths, strict=True)).rstrip())
        if n == 0:
            click.echo("  ".join("-" * w for w in widths))
    click.echo(f"\n{len(rows)} recognizers, catalog {cat.version}, policy {pol.name}")


REPORT_FORMATS = {".html": "html", ".htm": "html", ".md": "md", ".csv": "csv", ".json": "json"}


@cli.command("report", context_settings=CONTEXT)
@click.argument("report_file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to FILE."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "md", "csv", "json"]),
    default=None,
    help="Default: from the extension of -o, else html.",
)
@click.option(
    "--decisions",
    type=click.Path(exists=True, dir_okay=False),
    help="Apply a reviewed-decisions file before rendering.",
)
@click.option("--policy", default=None, help="Policy (name or file) for --decisions.")
@saved_report_masking
def report_cmd(report_file, output, fmt, decisions, policy, masking, reveal, key_env) -> None:
    """Render a saved scan report as a data inventory (个人信息清单): HTML, Markdown or CSV.

    \b
    Example:
      pii-scan scan data/ --format json -o report.json
      pii-scan report report.json -o inventory.html
      pii-scan report report.json -o inventory.md --decisions decisions.toml
    """
    from .report.inventory import finalize
    from .report.writers import WRITERS

    report = _remask(_read_report(report_file), masking, reveal, key_env)
    if decisions:
        report = _apply_decisions(report, _load_decisions(decisions), decisions, policy)
    elif "pipl_thresholds" not in report:
        finalize(report)  # reports saved before the inventory fields existed
    if fmt is None:
        ext = os.path.splitext(output)[1].lower() if output else ""
        fmt = REPORT_FORMATS.get(ext, "html")
    text = WRITERS[fmt](report)
    if output:
        with _open_output(output, "-o/--output") as fh:
            fh.write(text)
        click.echo(f"wrote {output} ({fmt})", err=True)
    else:
        click.echo(text, nl=False)


@cli.command(context_settings=CONTEXT)
@click.argument("report_file", type=click.Path(exists=True, dir_okay=False))
@click.argument("column", required=False)
@click.option("--column", "column_opt", help="TABLE.COLUMN (same as the argument).")
@click.option("--source", help="Only sources whose path contains this text.")
@saved_report_masking
def explain(report_file, column, column_opt, source, masking, reveal, key_env) -> None:
    """Explain why a column got its verdict: rule, recognizers, ratios, thresholds, examples.

    Without a column, every personal-information column is explained.

    \b
    Example:
      pii-scan explain report.json customers.身份证号
      pii-scan explain report.json --column devices.user.email
    """
    from .report.explain import explain as explain_text

    report = _remask(_read_report(report_file), masking, reveal, key_env)
    key = column_opt or column
    text = explain_text(report, key, source)
    if not text:
        raise click.UsageError(f"no column {key!r} in {report_file} (use TABLE.COLUMN)")
    click.echo(text)


@cli.command(context_settings=CONTEXT)
@click.argument("input_path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="The tagged copy."
)
@click.option(
    "--report",
    "report_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Take the verdicts from this saved report (default: scan INPUT).",
)
@click.option("--policy", default="gbt35273", show_default=True, help="Policy when scanning.")
@click.option(
    "--sample-rows",
    type=click.IntRange(min=0),
    default=None,
    help="Rows read when scanning INPUT (0 = every row).",
)
@click.option(
    "--decisions",
    type=click.Path(exists=True, dir_okay=False),
    help="Apply a reviewed-decisions file to the verdicts.",
)
@click.option(
    "--drop",
    type=click.Choice(["sensitive", "general"]),
    help="Leave out columns at or above this tier.",
)
@click.option(
    "--mask",
    "mask_tier",
    type=click.Choice(["sensitive", "general"]),
    help="Mask the values of columns at or above this tier.",
)
@click.option(
    "--mask-with",
    type=click.Choice(["mask", "hash", "redact"]),
    default="mask",
    show_default=True,
    help="mask: keep a few characters (138****8000); hash: h:… (HMAC-SHA256 with a secret "
    "key, as scan --masking hash); redact: [redacted].",
)
@click.option(
    "--key-env",
    default="PII_SCAN_TAG_KEY",
    show_default=True,
    help="Environment variable holding the secret key for --mask-with hash.",
)
def tag(
    input_path,
    output,
    report_file,
    policy,
    sample_rows,
    decisions,
    drop,
    mask_tier,
    mask_with,
    key_env,
) -> None:
    """Write column verdicts into the data (pii.entity, pii.tier, pii.category, pii.confidence).

    Parquet and Arrow/Feather get field metadata; CSV and JSON Lines get a sidecar
    OUTPUT.pii.json. --drop and --mask make a safe export copy.

    \b
    Example:
      pii-scan tag travellers.parquet -o tagged.parquet
      pii-scan tag customers.csv -o export.csv --drop sensitive --mask general
      pii-scan tag lake/t.parquet -o out.parquet --report report.json
    """
    from .catalog import CatalogError
    from .scan import ScanOptions, scan_paths
    from .tag import TagError, find_source, tag_file, tag_format

    try:
        tag_format(input_path)
        reviewed = _load_decisions(decisions)
        if report_file:
            report = _read_report(report_file)
        else:
            report = scan_paths([input_path], ScanOptions(policy=policy, sample_rows=sample_rows))
        if decisions:
            report = _apply_decisions(report, reviewed, decisions, policy)
        source = find_source(report, input_path)
        info = {
            "policy": report.get("policy"),
            "catalog_version": report.get("catalog_version"),
            "tool": report.get("tool"),
            "scan_date": report.get("scan_date"),
        }
        secret = os.environ.get(key_env, "").encode("utf-8") or None
        result = tag_file(
            input_path,
            output,
            source,
            scan_info=info,
            drop=drop,
            mask=mask_tier,
            method=mask_with,
            secret=secret,
        )
    except (TagError, CatalogError) as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"tagged {len(result.tagged)} column(s) of {input_path} -> {result.output}")
    if result.sidecar:
        click.echo(f"sidecar {result.sidecar}")
    if result.dropped:
        click.echo(f"dropped {', '.join(result.dropped)}")
    if result.masked:
        click.echo(f"masked {', '.join(result.masked)} ({mask_with})")


def main() -> None:
    """Console entry point: usage errors exit 2, internal failures exit 1 without a traceback."""
    from .memory import configure_before_arrow

    configure_before_arrow()
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except ScanStopped as exc:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(exc.code)
    except SystemExit:
        raise
    except BrokenPipeError:
        sys.exit(EXIT_OK)
    except Exception as exc:  # the last line of defence: no traceback reaches the user
        if os.environ.get("PII_SCAN_DEBUG"):
            raise
        from .sources.base import reason  # the message without values it may quote

        click.echo(f"pii-scan: internal error: {type(exc).__name__}: {reason(exc)}", err=True)
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
