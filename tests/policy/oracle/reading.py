"""The text a reader gets, for judging it (policy 8.5, 8.6).

A secret guard that reads raw Markdown can be walked around: `pass&#119;ord` renders as
"password", a Cyrillic "а" looks like a Latin one, zero-width characters are invisible,
a table pairs a header with a value two lines apart. So the guard judges what a reader
sees: the rendered HTML turned back into plain text (`html_text`), then `normalise`d.

Pure module: stdlib only. The normalised text is only ever scanned, never stored or shown.
"""
from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

__all__ = ["html_text", "normalise", "flowed"]

# Latin look-alikes in Cyrillic and Greek (the common confusables of Unicode TR 39 that
# matter for words like "password", "login", "admin" and for IDs).
_CONFUSABLES = str.maketrans({
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "з": "3", "і": "i", "ї": "i", "ј": "j", "к": "k",
    "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x",
    "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ь": "b",
    "А": "A", "В": "B", "Е": "E", "Ё": "E", "І": "I", "Ј": "J", "К": "K", "М": "M", "Н": "H",
    "О": "O", "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "Ԁ": "D", "Ԝ": "W",
    # Greek
    "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u",
    "χ": "x", "ω": "w", "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K",
    "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
})
_LOOKALIKES = frozenset(_CONFUSABLES)  # code points
_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")


def _fold_word(match: re.Match) -> str:
    """Fold a word written to look Latin: mixed with Latin letters, or made only of look-alikes.

    A word wholly in Cyrillic or Greek with letters that have no Latin twin ("пароль")
    stays as it is, so the detector still reads other languages' words.
    """
    word = match.group(0)
    letters = [c for c in word if c.isalpha()]
    if not letters:
        return word
    has_latin = any(c.isascii() for c in letters)
    foreign = [c for c in letters if not c.isascii()]
    if not foreign:
        return word
    if has_latin or all(ord(c) in _LOOKALIKES for c in foreign):
        return word.translate(_CONFUSABLES)
    return word


def _ascii_char(char: str) -> str:
    """Digits of any script as ASCII digits, and every dash (non-breaking hyphen, en dash,
    minus sign...) as "-", so "PV‑4K9P" reads like "PV-4K9P"."""
    if char.isascii():
        return char
    if char.isdecimal():
        return str(unicodedata.decimal(char))
    if unicodedata.category(char) == "Pd" or char == "\u2212":
        return "-"
    return char


def normalise(text: str) -> str:
    """NFKC, format characters (zero-width, soft hyphen, BOM) dropped, digits of any script
    and dashes as ASCII, look-alike letters folded to Latin."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    if not text.isascii():
        text = "".join(_ascii_char(c) for c in text)
        text = _WORD.sub(_fold_word, text)
    return text


_JOIN = re.compile(r"(?<![.!?;])[ \t]*\n\s*")


def flowed(text: str) -> str:
    """The text with each line that does not end a sentence run on into the next, so that a
    keyword at the end of one paragraph meets the value at the start of the next ("My
    password is" / "Tr0ub4dor&3"), while "bad password." stays apart from a status code."""
    return _JOIN.sub(" ", text).strip()


_BLOCKS = {"p", "div", "br", "hr", "li", "ul", "ol", "blockquote", "pre", "h1", "h2", "h3",
           "h4", "h5", "h6", "table", "thead", "tbody"}


class _Reader(HTMLParser):
    """Text of sanitised HTML as a reader sees it; a table row reads "header: cell, ..."."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities decoded, like a browser
        self.out: list[str] = []
        self.headers: list[str] = []
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.href: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.headers = []
        if tag in _BLOCKS:
            self.out.append("\n")
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "a":
            self.href = dict(attrs).get("href")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self._end_row(self.row)
            self.row = None
        elif tag == "a":
            if self.href:  # the target shows on hover and in a copied link
                self.handle_data(f" ({self.href})")
            self.href = None
        elif tag in _BLOCKS:
            self.out.append("\n")

    def _end_row(self, cells: list[str]) -> None:
        if not self.headers:
            self.headers = cells
            self.out.append("\n" + " | ".join(cells) + "\n")
            return
        pairs = [f"{h}: {c}" if h else c for h, c in zip(self.headers, cells)] + cells[len(self.headers):]
        self.out.append("\n" + ", ".join(pairs) + "\n")

    def handle_data(self, data):
        (self.cell if self.cell is not None else self.out).append(data)


def html_text(html: str) -> str:
    """Plain text of (sanitised) HTML: tags gone, entities decoded, blocks on their own lines,
    table rows as "header: value" pairs."""
    reader = _Reader()
    reader.feed(html or "")
    reader.close()
    lines = (" ".join(line.split()) for line in "".join(reader.out).split("\n"))
    return "\n".join(line for line in lines if line)
