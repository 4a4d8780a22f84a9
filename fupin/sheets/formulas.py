"""Formula-looking text in the sheets we write (CSV/Excel injection, OWASP): the one rule, both ways.

A name or an address such as ``=HYPERLINK("http://…","点击")``, ``+cmd|' /C calc'!A0``, ``-2+3`` or
``@SUM(A1:A9)`` is written as a text cell, never as a formula; but a text cell in the General format
becomes a live formula as soon as someone edits it in Excel (or WPS) and presses Enter, and a sheet
saved as CSV loses the "text" mark altogether. So, as OWASP advises, such a value is written with a
leading apostrophe ``'``: Excel shows it and keeps the cell text after an edit (an apostrophe typed
first is Excel's own "this is text" mark), and a CSV copy carries it along.

Which values: those that, after any leading apostrophes, begin with ``= + - @`` (ASCII or
full-width) once leading spaces, tabs and line breaks are skipped, or begin with a tab or a carriage
return. The "after any leading apostrophes" makes the rule reversible: a value that itself starts with
an apostrophe before such text (``'=1``) gets one more (``''=1``), so that reading back removes exactly
the one that was added. Other values are written unchanged, including those that merely start with an
apostrophe (``'s``).

Reading (``restore``, used by the cell parser of text columns): a value that starts with an apostrophe
followed by such text loses that one apostrophe. So import → export → import gives the same value;
a cell typed in Excel as ``'=1`` (value ``=1``, the apostrophe being Excel's mark) reads as ``=1``, and
the same text written with a visible apostrophe into a CSV reads as ``=1`` too. The one case an edit in
Excel changes: a value that itself starts with ``'=`` is shown as ``''=…``; an edit of that cell leaves
``'=…`` and it reads back without its apostrophe.
"""

from __future__ import annotations

#: What makes a cell a formula (or a DDE call) in Excel, LibreOffice and WPS once edited.
TRIGGERS = frozenset("=+-@＝＋－＠")
APOSTROPHE = "'"


def _formula_like(text: str) -> bool:
    if text[:1] in ("\t", "\r"):
        return True
    return text.lstrip()[:1] in TRIGGERS


def needs_guard(value: str) -> bool:
    """Whether ``neutralise`` adds an apostrophe to ``value``."""
    first = value[:1]
    if first in TRIGGERS:
        return True
    # The common cell (a name, a number) is decided by its first character: the exporter's hot loop.
    if first != APOSTROPHE and not first.isspace():
        return False
    return _formula_like(value.lstrip(APOSTROPHE))


def neutralise(value: str) -> str:
    """A value from the database as it is written to a cell: formula-looking text behind an apostrophe."""
    return APOSTROPHE + value if needs_guard(value) else value


def restore(text: str) -> str:
    """A text cell as read back: the apostrophe ``neutralise`` added removed, and only that one."""
    if text[:1] == APOSTROPHE and needs_guard(text[1:]):
        return text[1:]
    return text


def echo(text: str) -> str:
    """A cell of an uploaded sheet written back (the error sheet): neutralised, unless it already
    starts with an apostrophe (then it is not live, and ``restore`` reads it as the upload was read)."""
    return text if text[:1] == APOSTROPHE else neutralise(text)
