"""pii-scan: find and classify personal information in files and database exports.

The library API in a few lines::

    >>> import pyarrow as pa
    >>> from pii_scan import scan_text
    >>> [(f["entity"], f["start"], f["end"]) for f in scan_text("身份证110105199003071239")]
    [('CN_RESIDENT_ID', 3, 21)]
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["Matcher", "__version__", "load_catalog", "scan_paths", "scan_table", "scan_text"]


def __getattr__(name: str):
    # Lazy: `pii-scan --help` should not pay for NumPy and pyarrow imports.
    if name == "Matcher":
        from .core import Matcher

        return Matcher
    if name == "load_catalog":
        from .catalog import load_catalog

        return load_catalog
    if name in ("scan_paths", "scan_table", "scan_text"):
        from . import scan

        return getattr(scan, name)
    raise AttributeError(name)
