import pytest

from pii_scan.catalog import load_catalog
from pii_scan.core import Matcher

# Fixture generators are scripts, not tests (the suite runs with --doctest-modules).
collect_ignore_glob = ["fixtures/*"]


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


@pytest.fixture(scope="session")
def matcher(catalog):
    return Matcher(catalog)
