"""Personal data out of every text that leaves the pipeline: e-mail addresses, phone numbers, BSN-like numbers.

One function, :func:`redact`, is applied at every exit: free-text fields while
reading, every :class:`~pipelines.core.problems.Problem`'s ``value`` and
``message`` (whatever field the text was typed into), the validation results
Great Expectations saves, and file names as they are shown. What it finds is
replaced by a Dutch mark:

* e-mail addresses, also written as ``jan [at] vr.nl``, ``jan(at)vr(dot)nl``,
  ``jan at vr dot nl``, ``jan @ vr . nl`` -> :data:`EMAIL_MARK`;
* phone numbers: Dutch (``06-12345678``, ``020-1234567``, ``(020) 123 45 67``,
  ``06 - 1234 5678``, ``+31 (0)6-12 34 56 78``, ``0031 20 123 4567``) and
  international (``+`` or ``00`` with a country code and 8 to 13 more digits)
  -> :data:`PHONE_MARK`;
* BSN-like numbers: 9 digits (or 8, which a BSN may be with its leading zero
  dropped, as a spreadsheet does) that pass the elfproef, written together or
  grouped as ``123.456.782`` / ``123 456 782`` / ``1234-56-782`` -> :data:`BSN_MARK`.

What is deliberately *not* redacted: years, dates, counts, percentages, region
codes (``VR13``), references such as ``besluit AB 2024-17``, population
figures (``1.234.567``: seven digits, or any number whose groups are not
3-3-3), and nine-digit numbers that fail the elfproef. A Dutch phone number
needs its leading 0 (or +31 / 0031) and exactly ten digits; a number inside a
longer run of digits or letters is never taken apart.
"""

from __future__ import annotations

import re
from typing import Any

EMAIL_MARK = "[e-mailadres verwijderd]"
PHONE_MARK = "[telefoonnummer verwijderd]"
BSN_MARK = "[BSN verwijderd]"

# --- e-mail ------------------------------------------------------------------
_LOCAL = r"[A-Za-z0-9][A-Za-z0-9._%+\-]*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
_AT = r"(?:\s*@\s*|\s*[\[\(\{<]\s*(?:at|@|apenstaartje)\s*[\]\)\}>]\s*|\s+(?:at|apenstaartje)\s+)"
_DOT = r"(?:\s*\.\s*|\s*[\[\(\{<]\s*(?:dot|punt|\.)\s*[\]\)\}>]\s*|\s+(?:dot|punt)\s+)"
#: A top-level domain: two or more letters, not followed by a letter or digit.
_TLD = r"[A-Za-z]{2,24}(?![A-Za-z0-9])"
EMAIL_RE = re.compile(rf"(?<![A-Za-z0-9._%+\-]){_LOCAL}{_AT}(?:{_LABEL}{_DOT})+{_TLD}", re.IGNORECASE)

# --- phone numbers --------------------------------------------------------------
_SEP = r"[ \-./]*"  # separators between digit groups (with any spacing: "06 - 1234 5678")
#: A phone number candidate: an optional country prefix, then digits with separators and an optional (0).
PHONE_CANDIDATE_RE = re.compile(
    r"(?<![\w+\-./])"  # not inside a longer token
    r"(?:(?:\+|00)\s*\d{1,3}\s*(?:\(\s*0\s*\)\s*)?[ \-./]*|\(\s*0\d{1,3}\s*\)\s*|0)"
    r"\d(?:[ \-./]*\d){5,13}"
    r"(?![\w\-]|[./]\d)"
)

# --- BSN ------------------------------------------------------------------------
#: 8 or 9 digits, together or grouped 3-3-3 / 2-3-3 (with . space or -), or 4-2-3 (1234-56-782).
BSN_CANDIDATE_RE = re.compile(
    r"(?<![\w.,\-/+])"
    r"(\d{8,9}|\d{2,3}([ .\-])\d{3}\2\d{3}|\d{4}-\d{2}-\d{3})"
    r"(?![\w\-/]|[.,]\d)"
)


def elfproef(digits: str) -> bool:
    """The BSN check: 9 digits (8 with a leading 0 added), weights 9..2 and -1, sum a multiple of 11, not 0."""
    if len(digits) == 8:
        digits = "0" + digits
    if len(digits) != 9 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1))) - int(digits[8])
    return total % 11 == 0 and int(digits) != 0


_DATE_START = re.compile(r"\s*\d{1,2}[-/.]\d{1,2}[-/.]\d{4}(?!\d)|\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?!\d)")
_DECIMAL = re.compile(r"\s*[+-]?\d+[.,]\d+\s*$")


def _phone(match: re.Match) -> str:
    text = match.group(0)
    if _DATE_START.match(text) or _DECIMAL.match(text):  # 01-02-2024 12:00, 0.1234567891: not a phone number
        return text
    digits = re.sub(r"\D", "", text)
    stripped = text.lstrip()
    if stripped.startswith(("+", "00")):
        # international: country code and subscriber number, 9 to 15 digits in all (E.164); "(0)" not counted
        n = len(digits) - (2 if stripped.startswith("00") else 0) - (1 if re.search(r"\(\s*0\s*\)", text) else 0)
        return PHONE_MARK if 9 <= n <= 15 else text
    # Dutch: a 0, then nine digits (area code or 6 for a mobile, and the subscriber number)
    if len(digits) == 10 and digits[1] != "0":
        return PHONE_MARK
    return text


_YYYYMMDD = re.compile(r"(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$")


def _bsn(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group(1))
    if len(digits) == 8 and _YYYYMMDD.match(digits):  # a date written 20240117
        return match.group(0)
    return BSN_MARK if elfproef(digits) else match.group(0)


def _email(match: re.Match) -> str:
    return EMAIL_MARK


#: Cheap tests first: most texts hold no "@", no spelled-out "at" and no eight digits close together.
_AT_WORD = re.compile(r"(?:^|[\s\[\(\{<])(?:at|apenstaartje)(?:$|[\s\]\)\}>])")
_EIGHT_DIGITS = re.compile(r"\d(?:[ .\-/()]{0,3}\d){7}")


def redact(text: Any) -> Any:
    """``text`` with e-mail addresses, phone numbers and BSN-like numbers replaced; non-text is returned as is."""
    if not isinstance(text, str) or not text:
        return text
    out = text
    if "@" in out or (
        ("at" in out or "AT" in out or "At" in out or "apenstaartje" in out.lower()) and _AT_WORD.search(out.lower())
    ):
        out = EMAIL_RE.sub(_email, out)
    if _EIGHT_DIGITS.search(out):  # a phone number and a BSN both have at least eight digits
        out = PHONE_CANDIDATE_RE.sub(_phone, out)
        out = BSN_CANDIDATE_RE.sub(_bsn, out)
    return out


_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")


def redact_name(name: Any) -> Any:
    """A file name or relative path with personal data replaced, keeping its folders, region code and extension.

    Each part between ``/`` and ``_`` is redacted on its own, and the extension is kept:
    ``2025/VR13_jan@vr.nl.xlsx`` becomes ``2025/VR13_[e-mailadres verwijderd].xlsx``.
    """
    if not isinstance(name, str) or not name or redact(name) == name:  # nearly always: nothing to do
        return name
    out = []
    for part in name.split("/"):
        ext = _EXTENSION.search(part)
        stem, suffix = (part[: ext.start()], ext.group(0)) if ext and ext.start() > 0 else (part, "")
        out.append("_".join(redact(p) for p in stem.split("_")) + suffix)
    return "/".join(out)


def redact_deep(obj: Any) -> Any:
    """Every string in a JSON-like structure (dicts, lists, tuples) redacted; keys too.

    A whole number of 8 or 9 digits that passes the elfproef (a BSN typed into a number field, as Great
    Expectations keeps it in its list of unexpected values) becomes :data:`BSN_MARK` as well.
    """
    if isinstance(obj, str):
        return redact(obj)
    if isinstance(obj, (int, float)) and not isinstance(obj, bool):
        if (
            obj == obj
            and float(obj).is_integer()
            and 10_000_000 <= abs(obj) < 1_000_000_000
            and elfproef(str(abs(int(obj))))
            and redact(str(abs(int(obj)))) == BSN_MARK
        ):
            return BSN_MARK
        return obj
    if isinstance(obj, dict):
        return {redact(k) if isinstance(k, str) else k: redact_deep(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(redact_deep(v) for v in obj)
    return obj


def redact_series(values):
    """A pandas Series of text (object or string dtype) redacted element by element; missing stays missing."""
    # Keep the input's dtype: pandas 3 would infer its own string dtype from the mapped values, which turns
    # a later ``where(..., None)`` into NaN (a truthy value) instead of None.
    return values.map(redact, na_action="ignore").astype(values.dtype)
