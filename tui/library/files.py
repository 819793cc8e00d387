"""One article file read: its bytes decoded (UTF-8, the wide encodings by their mark, then the
Windows and Latin code pages) and parsed; why a file is not an article, in words."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from tui.library.articles import (
    MAX_FILE_BYTES,
    Article,
    ArticleError,
    hash_bytes,
)

# Byte order marks of the wide encodings, UTF-32 first: its little-endian mark starts like UTF-16's.
_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def _wide_encoding(data: bytes) -> str | None:
    """UTF-16 or UTF-32 when the data starts with its byte order mark (its zero bytes are not binary)."""
    return next((encoding for bom, encoding in _WIDE_BOMS if data.startswith(bom)), None)


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-16/32 by their byte order mark, else UTF-8, then Windows-1252, then
    Latin-1 (which always succeeds)."""
    wide = _wide_encoding(data)
    if wide is not None:
        try:
            return data.decode(wide), wide
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def read_article(path: Path, article_id: str, data: bytes | None = None) -> Article:
    """Read and parse one file; ArticleError says why it is not an article."""
    if data is None:
        try:
            size = path.stat().st_size
        except OSError as error:
            raise ArticleError(os_reason(error)) from None
        if size > MAX_FILE_BYTES:
            raise ArticleError(too_large(size))
        try:
            data = path.read_bytes()
        except OSError as error:
            raise ArticleError(os_reason(error)) from None
    if not data.strip():
        raise ArticleError("empty file")
    if b"\x00" in data[:8192] and _wide_encoding(data) is None:
        raise ArticleError("binary file (not text)")
    text, encoding = decode(data)
    return _parser()(text, article_id, path, path.suffix, content_hash=hash_bytes(data), encoding=encoding)


@functools.cache
def _parser() -> Callable[..., Article]:
    """The parser, imported when a file is first parsed: a warm listing parses nothing and need not
    compile its patterns. (An import statement in `read_article` itself cost 2.4 µs a file.)"""
    from tui.library.parsing import parse_article_text

    return parse_article_text


def too_large(size: int) -> str:
    return f"too large ({size / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB)"


def os_reason(error: OSError) -> str:
    import errno

    if error.errno == errno.ELOOP:
        return "symbolic link loop"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if error.errno == errno.ENOENT:
        return "broken link or file vanished"
    return error.strerror or str(error)
