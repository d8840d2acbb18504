import pytest

from pii_scan.catalog import load_catalog
from pii_scan.core import Matcher


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


@pytest.fixture(scope="session")
def matcher(catalog):
    return Matcher(catalog)
