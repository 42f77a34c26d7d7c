"""Bulk checks on the bytes of a data-set file before the CSV reader sees it (interchange spec 7.3 and 7.4).

Everything here works on whole chunks of bytes at C speed (memchr, count, decode), never row by row:
- what is not UTF-8 text is refused as a whole, with a sentence naming the likely encoding (Windows-1252,
  UTF-16) or the kind of file (a workbook), and how to save it as UTF-8;
- `import --encoding NAME` reads such a file explicitly: a UTF-8 copy is written (a file that is already UTF-8
  is read as UTF-8);
- a file that mixes CRLF and LF line ends gets a copy with LF only (the reader takes either, not the mix);
- whether any NUL byte occurs is noted: then the rows holding one are quarantined (bad_value) by the checks.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.importer.errors import ImportInputError

CHUNK = 1 << 24  # bytes read at a time
HEAD = 1 << 16  # bytes looked at to tell text from other files
SAVE_AS = ('open it in the spreadsheet program and save it again as "CSV UTF-8 (comma delimited)" '
           '(in other programs: "Text CSV" with the character set UTF-8)')
SIGNATURES = (
    (b"PK\x03\x04", "a zip file or an Excel workbook (.xlsx), not a CSV file"),
    (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook (.xls), not a CSV file"),
    (b"%PDF", "a PDF document, not a CSV file"),
    (b"{\\rtf", "a word-processor document (RTF), not a CSV file"),
)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
CONTROL = bytes(b for b in range(32) if b not in (9, 10, 13)) + b"\x7f"


@dataclass
class TextFile:
    """A data-set file ready for the CSV reader: UTF-8, one kind of line end; `has_nul` when a NUL byte occurs."""

    path: Path
    has_nul: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass
class _Scan:
    head: bytes
    bad_utf8_at: int | None  # offset of the first byte that is not UTF-8
    has_nul: bool
    mixed_line_ends: bool


def encoding_name(name: str) -> str:
    """Return the codec name for an `--encoding` value, or raise ImportInputError naming usable ones."""
    try:
        info = codecs.lookup(name.strip())
    except (LookupError, ValueError):
        info = None
    if info is None or not getattr(info, "_is_text_encoding", True):
        raise ImportInputError(f"'{name}' is not a text encoding this installation knows; name one such as "
                               "windows-1252, latin-1, utf-16 or utf-8")
    return info.name


def _scan(path: Path) -> _Scan:
    """Read the file once: its head, the first byte that is not UTF-8, NUL bytes and mixed CRLF/LF line ends."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    bad: int | None = None
    nul = False
    crlf = lf = 0
    offset = 0
    last_cr = False
    with open(path, "rb") as fh:
        head = fh.read(HEAD)
        fh.seek(0)
        while chunk := fh.read(CHUNK):
            nul = nul or b"\x00" in chunk
            if b"\r" in chunk or last_cr:
                crlf += chunk.count(b"\r\n") + (1 if last_cr and chunk[:1] == b"\n" else 0)
                lf += chunk.count(b"\n")
            elif crlf:
                lf += chunk.count(b"\n")
            last_cr = chunk[-1:] == b"\r"
            pending = decoder.getstate()[0]
            if bad is None and (pending or not chunk.isascii()):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    bad = max(offset + exc.start - len(pending), 0)
            offset += len(chunk)
        if bad is None:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                bad = max(offset - len(decoder.getstate()[0]) - 1, 0)
    return _Scan(head, bad, nul, 0 < crlf < lf)


def _line_of(path: Path, offset: int) -> int:
    """The line (1-based) holding byte `offset`."""
    line, done = 1, 0
    with open(path, "rb") as fh:
        while done < offset and (chunk := fh.read(min(CHUNK, offset - done))):
            line += chunk.count(b"\n")
            done += len(chunk)
    return line


def _looks_utf16(head: bytes) -> bool:
    """True for UTF-16 text without a byte-order mark: most of its ASCII characters have a zero byte beside them."""
    if len(head) < 4:
        return False
    even, odd = head[0::2].count(0), head[1::2].count(0)
    half = len(head) // 2
    return max(even, odd) > 0.3 * half and min(even, odd) < 0.05 * half


def _not_text(head: bytes) -> str | None:
    """Why the file is not a text file at all, or None."""
    for magic, what in SIGNATURES:
        if head.startswith(magic):
            return what
    if head and sum(head.count(bytes([b])) for b in CONTROL) > 0.05 * len(head):
        return "not a text file (it holds binary data)"
    return None


def _guess_single_byte(path: Path, at: int) -> tuple[str, str]:
    """(how people call it, the --encoding name) of the likely 8-bit encoding of a file that is not UTF-8."""
    with open(path, "rb") as fh:
        fh.seek(max(at - 4096, 0))
        sample = fh.read(65536)
    try:
        sample.decode("cp1252")
    except UnicodeDecodeError:
        return "Latin-1 (ISO-8859-1)", "latin-1"
    return ('Windows-1252, what older spreadsheet programs save as "CSV" (Latin-1 is much the same)',
            "windows-1252")


def _refusal(path: Path, label: str, scan: _Scan) -> str | None:
    """The plain sentence refusing a file the reader cannot take as UTF-8 text, or None when it can."""
    head = scan.head
    if head.startswith(UTF32_BOMS):
        return (f"{label} is saved as UTF-32, not UTF-8: {SAVE_AS}, or import it as it is with the encoding "
                "named (import --encoding utf-32, or File encoding on the Imports page)")
    if head.startswith(UTF16_BOMS) or _looks_utf16(head):
        return (f"{label} is saved as UTF-16 (what spreadsheet programs call \"Unicode text\"), not UTF-8: "
                f"{SAVE_AS}, or import it as it is with the encoding named (import --encoding utf-16, or File "
                "encoding on the Imports page)")
    what = _not_text(head)
    if what:
        return f"{label} is {what}: {SAVE_AS}, and import that file"
    if scan.bad_utf8_at is not None:
        people, codec = _guess_single_byte(path, scan.bad_utf8_at)
        line = _line_of(path, scan.bad_utf8_at)
        return (f"{label} is not saved as UTF-8, the text encoding the format requires (line {line:,} is the first "
                f"with a character saved another way); it looks like {people}. Either {SAVE_AS}, or import it as "
                f"it is with the encoding named (import --encoding {codec}, or File encoding on the Imports page)")
    return None


def _transcode(src: Path, dst: Path, codec: str, label: str) -> None:
    """Write src, read in `codec`, to dst as UTF-8 without a byte-order mark; refuse bytes the codec has no use for."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    offset = 0
    with open(src, "rb") as fin, open(dst, "w", encoding="utf-8", newline="") as fout:
        first = True
        try:
            while chunk := fin.read(CHUNK):
                text = decoder.decode(chunk)
                if first and text:
                    text, first = text.removeprefix("\ufeff"), False
                fout.write(text)
                offset += len(chunk)
            fout.write(decoder.decode(b"", final=True))
        except UnicodeDecodeError as exc:
            line = _line_of(src, offset + exc.start)
            raise ImportInputError(
                f"{label} cannot be read as {codec} either: line {line:,} holds bytes that encoding does not "
                f"use. {SAVE_AS[0].upper()}{SAVE_AS[1:]}, or name the encoding it was saved in") from None


def _to_lf(src: Path, dst: Path) -> None:
    """Write src to dst with every CRLF turned into LF."""
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        carry = b""
        while chunk := fin.read(CHUNK):
            chunk = carry + chunk
            carry = b"\r" if chunk.endswith(b"\r") else b""
            fout.write(chunk[:len(chunk) - len(carry)].replace(b"\r\n", b"\n"))
        fout.write(carry)


def prepare(path: Path, file: str, workdir: Path, encoding: str | None = None) -> TextFile:
    """Check one data-set file's bytes; return the file the CSV reader should read (a copy in workdir if needed).

    Raises ImportInputError with a plain sentence when the file is not text, or not UTF-8 and no encoding is named.
    """
    label = f"{file}.csv"
    scan = _scan(path)
    notes: list[str] = []
    codec = encoding_name(encoding) if encoding else None
    if codec in ("utf-8", "utf-8-sig"):
        codec = None
    if codec and (scan.bad_utf8_at is not None or scan.head.startswith(UTF16_BOMS + UTF32_BOMS)
                  or _looks_utf16(scan.head)):
        what = _not_text(scan.head) if not codec.startswith("utf-16") and not codec.startswith("utf-32") else None
        if what:
            raise ImportInputError(f"{label} is {what}: {SAVE_AS}, and import that file")
        copy = workdir / f"{file}.utf8.csv"
        _transcode(path, copy, codec, label)
        notes.append(f"{label} was read as {encoding}, not UTF-8")
        path, scan = copy, _scan(copy)
    elif codec:
        notes.append(f"{label} is already UTF-8 and was read as UTF-8, not as {encoding}")
    refusal = _refusal(path, label, scan)
    if refusal:
        raise ImportInputError(refusal)
    if scan.mixed_line_ends:
        copy = workdir / f"{file}.lf.csv"
        _to_lf(path, copy)
        path = copy
    return TextFile(path, scan.has_nul, notes)
