"""Imports every module that registers function recognizers (see :mod:`.functions`)."""

from ..nlp import address, biometric, cues, person, vocab  # noqa: F401  (register functions)
