"""CSV files for spreadsheets: every export of the site is written here.

Two things every export needs. A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or a
carriage return) is a formula to Excel and LibreOffice: a member named
``=HYPERLINK("http://evil","x")`` would become a link on the coordinator's screen. Such cells
get a leading single quote, as OWASP advises ("CSV injection"), which the spreadsheet shows as
text. And the file starts with a byte order mark, without which Excel reads UTF-8 as Windows-1252
and turns "Chloé" into "ChloÃ©".
"""

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

BOM = "\ufeff"
CONTENT_TYPE = "text/csv; charset=utf-8"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DELIMITER = ";"  # what a French spreadsheet expects


def safe_cell(value) -> str:
    """The cell as text, a leading quote added if a spreadsheet would read it as a formula.

    Numbers stay as they are (a negative quantity is not a formula); text that merely looks
    like one ("-2", a name "-Zoé") is quoted all the same: the quote is harmless."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_text(rows: Iterable[Iterable]) -> str:
    """The rows as the text of a CSV file: BOM first, ``;`` between cells, every cell safe."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=DELIMITER)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()
