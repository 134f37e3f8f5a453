"""Export files in an encoding other than UTF-8 (the `export_encoding` var).

DuckDB's CSV reader knows UTF-8, UTF-16 and Latin-1 only (other encodings need an
extension that is not shipped with it), so a file in another encoding is
transcoded once, with Python's codecs, into a UTF-8 copy that the reader then
reads. The copy lives in a cache folder and is named after the file's path, size,
modification time and encoding, so an export written again gets a new copy.

Used by the dbt-duckdb plugin (themodel/duckdb_plugin.py, SQL functions for
macros/staging/read_export.sql) and by the loader (themodel/load.py), so every
target reads the same text.

A file that is valid UTF-8 (and has no NUL byte, as UTF-16 text has) is read as
UTF-8 whatever export_encoding says: one export may mix files saved by a
spreadsheet and files written by the CRM, and text in a legacy encoding is
practically never also valid UTF-8 once it has a non-ASCII character.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import tempfile
from pathlib import Path

CHUNK = 1 << 20
# what docs/*.md promise; any text encoding Python knows is accepted
DOCUMENTED = ("utf-8", "cp1252", "latin-1", "euc-kr", "shift_jis", "utf-16")


class ExportEncodingError(ValueError):
    """A file that cannot be read in the encoding asked for; the message names it."""


def codec_name(encoding: str) -> str:
    """Python's name for an encoding ('windows-1252' -> 'cp1252'); a clear error otherwise."""
    try:
        info = codecs.lookup(encoding.strip())
    except LookupError:
        info = None
    if info is None or not getattr(info, "_is_text_encoding", True):
        raise ExportEncodingError(
            f"export_encoding '{encoding}' is not a text encoding known to Python. Use one of "
            f"{', '.join(DOCUMENTED)} (or another name Python's codecs know, e.g. cp949, cp932)."
        )
    return info.name


def is_utf8(encoding: str) -> bool:
    return codec_name(encoding) in ("utf-8", "utf-8-sig")


def is_utf8_file(path: Path) -> bool:
    """Valid UTF-8 from start to end and no NUL byte."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            if b"\x00" in chunk:
                return False
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _share(text: str, ranges: tuple[tuple[int, int], ...]) -> float:
    """The share of the non-ASCII characters of text that fall in ranges."""
    wide = [ord(char) for char in text if ord(char) > 0x7F]
    if not wide:
        return 0.0
    return sum(any(low <= code <= high for low, high in ranges) for code in wide) / len(wide)


HANGUL = ((0xAC00, 0xD7A3),)
KANA_AND_KANJI = ((0x3040, 0x30FF), (0x4E00, 0x9FFF), (0xFF01, 0xFF9F), (0x3000, 0x303F))
# full-width kana: half-width katakana bytes (0xA1-0xDF) are Latin letters in cp1252
KANA = ((0x3040, 0x30FF),)
# single-byte Latin code pages, which decode nearly every byte sequence
LATIN = ("cp1252", "iso8859-1", "iso8859-15", "cp1250", "cp1257")


def guess_encoding(path: Path, sample: int = CHUNK) -> str:
    """The likely encoding of a file that is not UTF-8, from its first bytes.

    UTF-16 has a byte-order mark or NUL bytes; EUC-KR text decodes to Hangul
    syllables and Shift_JIS text to kana and kanji (their byte patterns seldom
    decode from Latin text at all); otherwise cp1252, which reads every Latin-1
    letter the same and also the Windows punctuation in bytes 0x80-0x9F, unless a
    byte that cp1252 leaves undefined says latin-1.
    """
    with path.open("rb") as file:
        head = file.read(sample)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head:
        return "utf-16"
    # a multi-byte character may be cut at the end of the sample
    texts = {}
    for encoding in ("euc-kr", "shift_jis", "cp1252"):
        try:
            texts[encoding] = codecs.getincrementaldecoder(encoding)("strict").decode(head)
        except UnicodeDecodeError:
            continue
    if "euc-kr" in texts and _share(texts["euc-kr"], HANGUL) >= 0.5:
        return "euc-kr"
    if (
        "shift_jis" in texts
        and _share(texts["shift_jis"], KANA_AND_KANJI) >= 0.9
        and ("cp1252" not in texts or _share(texts["shift_jis"], KANA) > 0)
    ):
        return "shift_jis"
    return "cp1252" if "cp1252" in texts else "latin-1"


def _position(path: Path, offset: int) -> int:
    """The 1-based line of a byte offset (lines counted by LF bytes)."""
    line = 1
    with path.open("rb") as file:
        while offset > 0 and (chunk := file.read(min(CHUNK, offset))):
            line += chunk.count(b"\n")
            offset -= len(chunk)
    return line


def _cache_folder(cache_dir: str | os.PathLike | None) -> Path:
    folder = Path(cache_dir) if cache_dir else Path(tempfile.gettempdir()) / "the_model"
    return folder / "export_utf8"


def utf8_path(path: str | os.PathLike, encoding: str, cache_dir: str | os.PathLike | None) -> Path:
    """The path to read a CSV export from as UTF-8: the file itself when it is UTF-8
    already, else its UTF-8 copy in cache_dir (written now unless a current one is there).
    """
    path = Path(path)
    codec = codec_name(encoding)
    if codec in ("utf-8", "utf-8-sig") or path.suffix.lower() == ".parquet":
        return path
    if is_utf8_file(path):
        return path
    guess = guess_encoding(path)
    if codec in LATIN and codec_name(guess) not in LATIN:
        # a Latin code page reads (almost) any byte: Korean or Japanese text would
        # turn into accented letters without an error
        raise ExportEncodingError(
            f"Export file {path} looks like {guess} text, not {encoding}: read in {encoding}"
            f" its names would turn into accented letters. Set the var export_encoding to {guess}."
        )
    stat = path.stat()
    resolved = str(path.resolve())
    file_key = hashlib.sha256(resolved.encode()).hexdigest()[:16]
    version_key = hashlib.sha256(f"{stat.st_size}:{stat.st_mtime_ns}:{codec}".encode()).hexdigest()[
        :16
    ]
    folder = _cache_folder(cache_dir)
    copy = folder / f"{path.stem}.{file_key}.{version_key}.csv"
    if copy.is_file():
        return copy
    folder.mkdir(parents=True, exist_ok=True)
    decoder = codecs.getincrementaldecoder(codec)("strict")
    partial = folder / f".{copy.name}.{os.getpid()}.partial"
    read = 0
    try:
        with path.open("rb") as source, partial.open("w", encoding="utf-8", newline="") as out:
            while True:
                chunk = source.read(CHUNK)
                try:
                    out.write(decoder.decode(chunk, final=not chunk))
                except UnicodeDecodeError as error:
                    offset = read + max(error.start, 0)
                    bad = chunk[error.start : error.start + 2] if chunk else b""
                    guess = guess_encoding(path)
                    hint = (
                        f" It looks like {guess}: set the var export_encoding to {guess}."
                        if codec_name(guess) != codec
                        else " Export the file again, or save it again as 'CSV UTF-8'."
                    )
                    raise ExportEncodingError(
                        f"Export file {path} is not {encoding} text: byte {offset}"
                        f" (line {_position(path, offset)}, bytes {bad.hex(' ')}) cannot be"
                        f" read in {encoding} ({error.reason}).{hint}"
                    ) from error
                if not chunk:
                    break
                read += len(chunk)
        os.replace(partial, copy)
    finally:
        partial.unlink(missing_ok=True)
    # older copies of the same file are stale now
    for stale in folder.glob(f"{path.stem}.{file_key}.*.csv"):
        if stale != copy:
            stale.unlink(missing_ok=True)
    return copy


def not_utf8_message(path: str | os.PathLike) -> str:
    """What to do about a file that is not UTF-8 when export_encoding is utf-8."""
    guess = guess_encoding(Path(path))
    return (
        f"Export file {path} is not UTF-8 text; it looks like {guess} (a spreadsheet or the"
        f" CRM saved it in a local encoding). Set the var export_encoding to {guess}"
        f" (e.g. --vars '{{export_encoding: {guess}}}'; one value for every file of the"
        " export, UTF-8 files are still read as UTF-8), or save the file again as 'CSV UTF-8'."
    )
