"""The ``pii-scan`` command line: parse options, call the library, format the result."""

from __future__ import annotations

import json
import os
import sys

import click

from . import __version__

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_GATE = 0, 1, 2, 3
TIER_ORDER = {"none": 0, "general": 1, "sensitive": 2}


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
    type=click.Choice(["table", "json", "jsonl", "csv"]),
    default="table",
    show_default=True,
    help="Output format (jsonl = findings).",
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
@click.option("--include", multiple=True, metavar="GLOB", help="Only scan files matching GLOB.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files matching GLOB.")
@click.option("--encoding", default=None, help="Force the text encoding (default: detected).")
@click.option("--reveal", is_flag=True, help="Show raw matched values (masked by default).")
@click.option(
    "--engine",
    type=click.Choice(["local", "spark"]),
    default="local",
    show_default=True,
    help="Where the scan runs.",
)
def scan(
    paths,
    fmt,
    output,
    findings,
    sample_rows,
    workers,
    policy,
    fail_on,
    include,
    exclude,
    encoding,
    reveal,
    engine,
) -> None:
    """Scan files, folders and globs for personal information.

    \b
    Example:
      pii-scan scan samples/ --fail-on sensitive
      pii-scan scan 'lake/**/*.parquet' --sample-rows 0 --format json -o report.json
    """
    from .catalog import CatalogError
    from .report.writers import WRITERS
    from .scan import ScanOptions, scan_paths

    if engine == "spark":
        raise click.UsageError("--engine spark is not available yet; use --engine local")
    options = ScanOptions(
        policy=policy,
        sample_rows=sample_rows,
        reveal=reveal,
        include=include,
        exclude=exclude,
        encoding=encoding,
        workers=workers,
    )
    out = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    findings_fh = None
    try:
        if fmt == "jsonl":
            findings_fh = out
        elif findings:
            findings_fh = open(findings, "w", encoding="utf-8")  # noqa: SIM115
        try:
            report = scan_paths(paths, options, findings=findings_fh)
        except CatalogError as exc:
            raise click.UsageError(str(exc)) from None
        if fmt == "table":
            out.write(WRITERS["table"](report, color=out.isatty()))
        elif fmt != "jsonl":
            out.write(WRITERS[fmt](report))
    finally:
        if findings_fh is not None and findings_fh is not out:
            findings_fh.close()
        if out is not sys.stdout:
            out.close()
    _gate(report, fail_on)


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
    from .catalog import load_catalog
    from .classify.policy import categories, load_policy
    from .report.mask import mask
    from .report.terminal import display_width, pad
    from .scan import scan_text

    cat, pol, cats = load_catalog(), load_policy(policy), categories()
    rows = []
    for r in cat:
        example = ""
        for text in r.positive:
            found = [f for f in scan_text(text) if f["entity"] == r.entity]
            if found:
                example = mask(found[0]["value"])
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
                "tier": pol.tier(r.entity),
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
    keys = ("id", "entity", "name_zh", "category_zh", "tier", "validator", "example")
    table = [keys, *[tuple(str(row[k] or "-") for k in keys) for row in rows]]
    widths = [max(display_width(t[i]) for t in table) for i in range(len(keys))]
    for n, t in enumerate(table):
        click.echo("  ".join(pad(c, w) for c, w in zip(t, widths, strict=True)).rstrip())
        if n == 0:
            click.echo("  ".join("-" * w for w in widths))
    click.echo(f"\n{len(rows)} recognizers, catalog {cat.version}, policy {pol.name}")


def main() -> None:
    """Console entry point: usage errors exit 2, internal failures exit 1 without a traceback."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except SystemExit:
        raise
    except BrokenPipeError:
        sys.exit(EXIT_OK)
    except Exception as exc:  # the last line of defence: no traceback reaches the user
        if os.environ.get("PII_SCAN_DEBUG"):
            raise
        click.echo(f"pii-scan: internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
