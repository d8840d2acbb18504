"""Imports every module that registers function recognizers (see :mod:`.functions`)."""
