"""Errors of the analysis layer that the user can act on.

A :class:`QuantError` carries a message that says the fix in the words of the model (the liver
VOI, the seed, the threshold). When the fix is "give a value that is missing", the exception
names that input in ``field`` (the name of the keyword argument, e.g. ``"liver_world"``); the
command line turns the field into its option (``--liver x,y,z``) and the viewer into the form
field or tool that sets it. No command-line wording lives in ``analysis``.
"""

from __future__ import annotations

from workstation.core import vocabulary as vocab


class QuantError(ValueError):
    """Bad request to quantification (method, seed, reference VOI, shape); the message says the fix.

    ``field``: the name of the missing or invalid input (a keyword argument of the analysis
    function), or None when the problem is not one input.
    """

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class SuvError(ValueError):
    """SUV cannot be computed from these headers (the message says why and what to do).

    ``field``: the input (a name of ``core.vocabulary.INPUT_FIELDS``) whose value would fix it, or
    None; the CLI shows the option for it, the viewer the form field.
    """

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class SuvInputMissing(SuvError):
    """An input SUV needs is missing; ``tag`` names it, ``field`` the override that supplies it (or None)."""

    def __init__(self, tag: str, field: str | None, message: str | None = None):
        self.tag = tag
        if message is None:
            message = f"{tag} is missing or empty"
        if field:
            message += f"; give the {vocab.INPUT_FIELDS[field]} as an override"
        else:
            message += "; no override exists for it: the series cannot be converted to SUV"
        super().__init__(message, field=field)
