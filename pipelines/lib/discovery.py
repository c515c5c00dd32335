"""Finding the returns of each wave under ``data/raw/``.

A wave is a folder named by its year (``data/raw/2024/``). Inside it, only
regular files directly in the folder are considered:

* ``<code>*.xlsx`` whose name starts with a region code from the reference
  (the longest code that matches, followed by a non-alphanumeric character or
  the end of the stem) is a regional workbook;
* ``<module>.csv`` is a survey-tool export of that module;
* everything else is ignored and reported: hidden files (``.DS_Store``),
  Excel's lock files (``~$VR13.xlsx``), symbolic links (never followed, so
  nothing outside the raw folder is ever read), sub-folders, and names that fit
  neither form.

A workbook or export that is too large, or that cannot be read (a file swapped
for a link or a pipe after it was listed, no permission), keeps its kind but
gets a ``reason`` and no hash: the ingest rejects it, so that the region's
earlier data stays in use (an ignored file would make the region *missing*).
A name that is not valid UTF-8 or holds control or bidirectional characters is
shown escaped (``VR13_\\xe2.xlsx``) everywhere, with a warning. So is a name
holding an e-mail address, phone number or BSN: it is shown with these
replaced (``VR13_[e-mailadres verwijderd].xlsx``), see :func:`private_name`.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pipelines.lib.codebook import MODULES
from pipelines.lib.privacy import redact_name
from pipelines.lib.problems import WARNING, ERROR, Problem
from pipelines.lib.readers import DEFAULT_LIMITS, Limits

WAVE_RE = re.compile(r"^\d{4}$")
WORKBOOK = "werkboek"
EXPORT = "export"
IGNORED = "genegeerd"


@dataclass(frozen=True)
class RawFile:
    path: Path
    rel: str  # relative to the raw root, with forward slashes: how the file is named everywhere
    wave: int
    kind: str  # WORKBOOK, EXPORT or IGNORED
    size: int
    sha256: str | None = None
    region_code: str | None = None
    module: str | None = None
    reason: str | None = None


def sha256_of(path: Path) -> str:
    """The file's SHA-256; a link is never followed and a pipe never waited on (OSError instead)."""
    h = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError("geen gewoon bestand")
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def list_waves(raw_root: Path) -> list[int]:
    """The waves present: year-named folders directly under the raw root (links are not followed)."""
    raw_root = Path(raw_root)
    if not raw_root.is_dir():
        return []
    waves = []
    with os.scandir(raw_root) as it:
        for entry in it:
            if WAVE_RE.match(entry.name) and entry.is_dir(follow_symlinks=False):
                waves.append(int(entry.name))
    return sorted(waves)


#: Characters that change how surrounding text is shown: shown escaped in a file name.
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def display_name(name: str) -> tuple[str, bool]:
    """A file name as it is shown and stored, and whether it needed no escaping.

    Bytes that are not UTF-8 (``os`` gives them as surrogates), control and
    bidirectional characters and, in such a name, the backslash are escaped:
    the result can always be stored and printed, and two names never give the
    same result.
    """
    if not any(unicodedata.category(c) in ("Cc", "Cs") or c in _BIDI for c in name):
        return name, True
    out = []
    for c in name:
        o = ord(c)
        if 0xDC80 <= o <= 0xDCFF:  # a byte that is not UTF-8
            out.append(f"\\x{o - 0xDC00:02x}")
        elif unicodedata.category(c) in ("Cc", "Cs") or c in _BIDI:
            out.append(f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}")
        elif c == "\\":
            out.append("\\\\")
        else:
            out.append(c)
    return "".join(out), False


def private_name(shown: str, used: set[str]) -> str:
    """``shown`` with personal data replaced (:func:`pipelines.lib.privacy.redact_name`), unique among ``used`` (updated).

    Two names that redact to the same text get `` (2)``, `` (3)``… before the extension, in the folder's order.
    """
    name = redact_name(shown)
    if name != shown:
        stem, dot, ext = name.rpartition(".")
        base, n = (stem, "." + ext) if dot else (name, ""), 2
        while name in used:
            name = f"{base[0]} ({n}){base[1]}"
            n += 1
    used.add(name)
    return name


def match_region(stem: str, region_codes: list[str]) -> str | None:
    """The region code a workbook's file name starts with, if any."""
    upper = stem.upper()
    for code in sorted(region_codes, key=len, reverse=True):
        if upper.startswith(code.upper()):
            rest = stem[len(code):]
            if rest == "" or not rest[0].isalnum():
                return code
    return None


def classify(name: str, region_codes: list[str]) -> tuple[str, str | None, str | None, str | None]:
    """(kind, region_code, module, reason) of a file name."""
    if name.startswith("~$"):
        return IGNORED, None, None, "tijdelijk bestand van Excel (het werkboek is nog geopend)"
    if name.startswith("."):
        return IGNORED, None, None, "verborgen bestand"
    stem, dot, ext = name.rpartition(".")
    ext = ext.lower() if dot else ""
    if ext == "xlsx":
        code = match_region(stem, region_codes)
        if code:
            return WORKBOOK, code, None, None
        return IGNORED, None, None, "de naam van het werkboek begint niet met een bekende regiocode"
    if ext == "csv":
        module = stem.strip().lower()
        if module in MODULES:
            return EXPORT, None, module, None
        return IGNORED, None, None, f"een export heet <module>.csv met module een van: {', '.join(MODULES)}"
    if ext in ("xls", "xlsm", "ods", "txt", "tsv"):
        return IGNORED, None, None, f"bestandsvorm .{ext} wordt niet gelezen; lever .xlsx of .csv"
    return IGNORED, None, None, "geen werkboek (.xlsx) of export (.csv)"


def discover_wave(raw_root: Path, wave: int, region_codes: list[str],
                  limits: Limits = DEFAULT_LIMITS) -> tuple[list[RawFile], list[Problem]]:
    """The files of one wave, hashed, and a warning for each file that is ignored."""
    raw_root = Path(raw_root)
    folder = raw_root / str(wave)
    files: list[RawFile] = []
    problems: list[Problem] = []
    root_real = raw_root.resolve()
    with os.scandir(folder) as it:
        entries = sorted(it, key=lambda e: e.name)
    used: set[str] = set()
    for entry in entries:
        shown, clean = display_name(entry.name)
        rel = f"{wave}/{private_name(shown, used)}"
        if rel != f"{wave}/{shown}":
            problems.append(Problem(rel, "bestand.naam_persoonsgegevens", "de bestandsnaam bevat een e-mailadres, "
                                    "telefoonnummer of BSN; zo getoond. Geef het bestand een naam zonder persoonsgegevens",
                                    WARNING))
        if not clean:
            problems.append(Problem(rel, "bestand.naam", "de bestandsnaam bevat tekens die geen tekst zijn (geen UTF-8, "
                                    "stuur- of richtingstekens); zo getoond, met \\x.. voor elk zo'n teken", WARNING))
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError as exc:
            reason = f"het bestand kan niet worden bekeken ({exc.strerror or type(exc).__name__})"
            files.append(RawFile(Path(entry.path), rel, wave, IGNORED, 0, reason=reason))
            problems.append(Problem(rel, "bestand.genegeerd", f"genegeerd: {reason}", WARNING))
            continue
        reason = None
        if stat.S_ISLNK(st.st_mode):
            reason = "symbolische koppeling: wordt om veiligheidsredenen niet gevolgd"
        elif stat.S_ISDIR(st.st_mode):
            reason = "map binnen een peiljaar: alleen bestanden direct in de map van het peiljaar worden gelezen"
        elif not stat.S_ISREG(st.st_mode):
            reason = "geen gewoon bestand"
        elif not Path(entry.path).resolve().is_relative_to(root_real):
            reason = "bestand ligt buiten de map data/raw"
        if reason:
            files.append(RawFile(Path(entry.path), rel, wave, IGNORED, 0, reason=reason))
            problems.append(Problem(rel, "bestand.genegeerd", f"genegeerd: {reason}", WARNING))
            continue
        kind, code, module, reason = classify(shown, region_codes)
        digest = None
        if kind == IGNORED:
            problems.append(Problem(rel, "bestand.genegeerd", f"genegeerd: {reason}", WARNING))
        elif st.st_size > limits.max_file_bytes:  # rejected by the ingest (see the module's docstring)
            reason = f"het bestand is {st.st_size / 1024 / 1024:.0f} MB; de grens is {limits.max_file_bytes / 1024 / 1024:.0f} MB"
        else:
            try:
                digest = sha256_of(Path(entry.path))
            except OSError as exc:  # rejected by the ingest
                reason = f"het bestand kan niet worden gelezen ({exc.strerror or exc})"
        files.append(RawFile(Path(entry.path), rel, wave, kind, st.st_size, digest, code, module, reason))
    return files, problems


def fingerprint(files: list[RawFile], context: str = "") -> str:
    """One hash over the names and contents of a wave's readable files (what 'unchanged' means).

    ``context`` adds what else decides the outcome (the region set, the rules' version).
    """
    h = hashlib.sha256(context.encode())
    for f in sorted(files, key=lambda f: f.rel):
        if f.kind != IGNORED:
            h.update(f"{f.rel}\0{f.sha256}\n".encode())
    return h.hexdigest()


def snapshot(raw_root: Path, previous: dict | None = None) -> dict[str, dict[str, list]]:
    """Every regular file of every wave: ``{wave: {name: [sha256, size, mtime_ns]}}``.

    A file whose size and modification time equal those in ``previous`` keeps
    its recorded hash instead of being read again, so a sensor can look often.
    Links and sub-folders are listed by name only (they are never read).
    """
    previous = previous or {}
    out: dict[str, dict[str, list]] = {}
    for wave in list_waves(raw_root):
        key = str(wave)
        before = previous.get(key, {})
        files: dict[str, list] = {}
        used: set[str] = set()
        with os.scandir(Path(raw_root) / key) as it:
            for entry in sorted(it, key=lambda e: e.name):
                name = private_name(display_name(entry.name)[0], used)
                try:
                    st = entry.stat(follow_symlinks=False)
                    if not stat.S_ISREG(st.st_mode):
                        files[name] = ["-", 0, 0]
                        continue
                    old = before.get(name)
                    if old and old[1] == st.st_size and old[2] == st.st_mtime_ns:
                        files[name] = old
                    else:
                        files[name] = [sha256_of(Path(entry.path)), st.st_size, st.st_mtime_ns]
                except OSError:  # gone, swapped or unreadable: changed, the run will say more
                    files[name] = ["?", 0, 0]
        out[key] = files
    return out


def changed_waves(before: dict, after: dict) -> tuple[list[str], list[str], dict[str, list[str]]]:
    """(affected waves still present, waves whose folder is gone, what changed per wave, in words)."""
    affected, changes = [], {}
    for wave, files in after.items():
        old = before.get(wave, {})
        added = sorted(set(files) - set(old))
        removed = sorted(set(old) - set(files))
        changed = sorted(n for n in set(files) & set(old) if files[n][0] != old[n][0])
        if added or removed or changed:
            affected.append(wave)
            changes[wave] = [f"nieuw: {n}" for n in added] + [f"gewijzigd: {n}" for n in changed] + \
                            [f"verwijderd: {n}" for n in removed]
    gone = sorted(set(before) - set(after))
    return sorted(affected), gone, changes
