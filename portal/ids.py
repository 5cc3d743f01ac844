"""Integer ids from URLs, forms and query strings: ASCII digits inside the signed 64-bit range.

Anything else (2^63 or more, negative, '²', other scripts' digits, text) names no row: the
databases' integer columns stop at 2^63 - 1 and the SQLite driver raises OverflowError past it,
and str.isdigit() and `\\d` accept digits int() refuses or reads in another script.
"""
import re

MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(value):
    """The id `value` names (an int or a string of ASCII digits, 1 to 2^63 - 1), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not _DIGITS.fullmatch(text):
            return None
        value = int(text)
    if not isinstance(value, int):
        return None
    return value if 1 <= value <= MAX_ID else None
