"""Problems found in a return, worded for the person who has to fix them.

A :class:`Problem` always says where (file, sheet, row as the person sees it in
Excel or a text editor, column), what was found and which rule it breaks. The
message is Dutch: it is read by analysts and by the regions' officials.
E-mail addresses, phone numbers and BSN-like numbers in a problem's message,
value, file, sheet or column are replaced when it is made
(:mod:`pipelines.core.privacy`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from pipelines.core.privacy import redact, redact_name

ERROR = "fout"
WARNING = "waarschuwing"

#: Longest value quoted back in a message; the rest is elided.
MAX_QUOTED = 80


def quote(value) -> str:
    """A value as it is quoted in a message: shortened, control characters made visible."""
    if value is None:
        return "(leeg)"
    text = redact(str(value))  # before shortening: half an address is still an address
    if text == "":
        return "(leeg)"
    text = "".join(
        ch if ch.isprintable() else f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}" for ch in text
    )
    if len(text) > MAX_QUOTED:
        text = text[: MAX_QUOTED - 1] + "…"
    return f"'{text}'"


@dataclass
class Problem:
    file: str
    rule: str
    message: str
    severity: str = ERROR
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    region_code: str | None = None
    module: str | None = None
    wave: int | None = None

    def __post_init__(self):
        # Personal data never leaves in a problem, whatever field it was typed into (see privacy.py).
        self.message = redact(self.message)
        self.value = redact(self.value)
        self.file = redact_name(self.file)
        self.sheet = redact(self.sheet)
        self.column = redact(self.column)
        self.region_code = redact(self.region_code)  # an export's regio_code cell as typed

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def location(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"blad '{self.sheet}'")
        if self.row is not None:
            parts.append(f"rij {self.row}")
        if self.column:
            parts.append(f"kolom '{self.column}'")
        return ", ".join(parts)

    def text(self) -> str:
        """One line: location, severity, message (which already quotes the value)."""
        return f"{self.location()}: {self.severity}: {self.message}"

    def as_dict(self) -> dict:
        return asdict(self)


def drop_reader_repeats(reader: Iterable[Problem], found: Iterable[Problem]) -> list[Problem]:
    """``found`` (GX) without what the reader already reported for the same cell.

    A value the reader could not parse reaches GX as empty, and a required
    column the reader found missing is empty on every row: ``verplicht`` (or
    any other rule) would then repeat the reader's error for that cell.
    """
    cells, columns = set(), set()
    for p in reader:
        if p.is_error and p.column:
            cells.add((p.file, p.sheet, p.row, p.column))
            if p.rule == "kolom.ontbreekt":
                columns.add((p.file, p.sheet, p.column))
    return [
        p
        for p in found
        if (p.file, p.sheet, p.row, p.column) not in cells and (p.file, p.sheet, p.column) not in columns
    ]
