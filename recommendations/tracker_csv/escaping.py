"""Cells that a spreadsheet would run as a formula, escaped on export and read back on import.

The export puts an apostrophe before a cell that starts like a formula (OWASP's advice on CSV
injection), so Excel shows ``'=SUM(A1)`` as text. A cell that starts with an apostrophe is
escaped too, so that every escaped cell reads back as exactly what the app holds: the import
takes one apostrophe off a cell that starts with an apostrophe and then a formula's first
character or another apostrophe.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED_STARTS = (*FORMULA_STARTS, "'")


def escaped(value) -> str:
    """The cell the export writes for ``value``: Excel will not run it as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_ESCAPED_STARTS) else text


def unescaped(text: str) -> str:
    """A cell as the export escaped it, read back as the app's value (``escaped``'s inverse)."""
    if text.startswith("'") and text[1:2] and text[1:].startswith(_ESCAPED_STARTS):
        return text[1:]
    return text
