"""The error of an unreadable data set: raised before anything is stored, with a sentence meant for people."""

from __future__ import annotations


class ImportInputError(ValueError):
    """The input cannot be read as a data set; nothing was changed."""
