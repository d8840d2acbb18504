"""The ``pii-scan`` command line run in-process (click's runner), answering like a process."""

from __future__ import annotations

import traceback
from dataclasses import dataclass

from click.testing import CliRunner

from pii_scan.cli import cli


@dataclass
class Proc:
    returncode: int
    stdout: str
    stderr: str


def run(*args, env=None, **_) -> Proc:
    """The CLI in-process (click's runner): exit code, stdout and stderr as a process gives."""
    result = CliRunner().invoke(cli, [str(a) for a in args], env=env)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return Proc(result.exit_code, result.stdout, stderr)
