"""The registry, the module surface and the module doctests."""

from __future__ import annotations

import dataclasses
import doctest
import importlib

import numpy as np
import pytest

from pii_scan import validators
from pii_scan.validators import Validator, exceptions

EXPECTED_NAMES = [
    "age",
    "birth_date",
    "bank_card",
    "cn_foreigner_pr_id",
    "cn_hkmo_permit",
    "cn_landline",
    "cn_mobile",
    "cn_passport",
    "cn_resident_id",
    "cn_tw_permit",
    "cn_uscc",
    "email",
    "hk_id",
    "iban",
    "imei",
    "ipv4",
    "ipv6",
    "luhn",
    "mac",
    "meid",
    "mo_id",
    "tw_id",
    "vin",
]
#: Formats that have a public check character.
WITH_CHECK_DIGIT = {
    "bank_card",
    "cn_foreigner_pr_id",
    "cn_resident_id",
    "cn_uscc",
    "hk_id",
    "imei",
    "luhn",
    "tw_id",
    "vin",
}
ALL_MODULES = [*EXPECTED_NAMES, "checksums", "exceptions", "_arrays", "_dates", "_text"]
#: Registered as one module's functions with a keyword fixed: name -> (module, keywords).
VARIANTS = {
    f"{name}_{scope}": (name, {"scope": scope})
    for name in ("ipv4", "ipv6")
    for scope in ("public", "internal")
}


def module(name: str):
    return importlib.import_module(f"pii_scan.validators.{name}")


def test_names_are_the_registered_validators() -> None:
    assert validators.names() == sorted([*EXPECTED_NAMES, *VARIANTS])


@pytest.mark.parametrize("name", VARIANTS)
def test_variants_are_module_functions_with_a_keyword(name: str) -> None:
    base, keywords = VARIANTS[name]
    entry = validators.get(name)
    for got, function in (
        (entry.is_valid, module(base).is_valid),
        (entry.batch, module(base).batch),
    ):
        assert got.func is function and got.keywords == keywords


@pytest.mark.parametrize("name", EXPECTED_NAMES)
def test_get_returns_the_module_functions(name: str) -> None:
    entry = validators.get(name)
    assert isinstance(entry, Validator)
    assert entry.name == name
    assert entry.is_valid is module(name).is_valid
    assert entry.batch is module(name).batch


def test_validator_is_frozen() -> None:
    entry = validators.get("cn_mobile")
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.name = "other"  # type: ignore[misc]


def test_get_unknown_name_lists_known_names() -> None:
    with pytest.raises(KeyError, match="cn_resident_id") as info:
        validators.get("cn_resident")
    assert "unknown validator 'cn_resident'" in str(info.value)


@pytest.mark.parametrize("name", EXPECTED_NAMES)
def test_module_has_the_stdnum_surface(name: str) -> None:
    mod = module(name)
    for function in ("compact", "validate", "is_valid", "batch"):
        assert callable(getattr(mod, function)), function
    if name in WITH_CHECK_DIGIT:
        assert callable(mod.calc_check_digit)
    doc = mod.__doc__ or ""
    assert doc.count(">>> ") >= 2, "module docstring needs a valid and an invalid example"


def test_exception_hierarchy() -> None:
    for error in (
        exceptions.InvalidFormat,
        exceptions.InvalidLength,
        exceptions.InvalidChecksum,
        exceptions.InvalidComponent,
    ):
        assert issubclass(error, validators.ValidationError)
        assert issubclass(error, ValueError)
        assert str(error())  # a default message
    assert issubclass(exceptions.InvalidLength, exceptions.InvalidFormat)  # as in stdnum


@pytest.mark.parametrize("name", ["__init__", *ALL_MODULES])
def test_doctests(name: str) -> None:
    mod = validators if name == "__init__" else module(name)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


@pytest.mark.parametrize("name", [*EXPECTED_NAMES, *VARIANTS])
def test_batch_returns_bool_of_n(name: str) -> None:
    batch = validators.get(name).batch
    for width in (0, 1, 8, 11, 18):
        for n in (0, 3):
            out = batch(np.zeros((n, width), dtype=np.uint8))
            assert out.dtype == bool
            assert out.shape == (n,)
            assert not out.any()


@pytest.mark.parametrize("name", [*EXPECTED_NAMES, *VARIANTS])
def test_batch_rejects_non_batches(name: str) -> None:
    batch = validators.get(name).batch
    with pytest.raises(TypeError):
        batch(np.zeros(5, dtype=np.uint8))
    with pytest.raises(TypeError):
        batch(np.zeros((2, 11), dtype=np.int64))
    assert batch(np.zeros(0, dtype=np.uint8)).shape == (0,)  # an empty 1-D array is n == 0
