"""Errors a user can cause. The CLI turns them into one line and an exit code."""

from __future__ import annotations


class TuiError(Exception):
    """A problem the user can fix; never shown as a traceback."""

    exit_code = 1


class UsageError(TuiError):
    """Wrong arguments: an unknown id, a quote not in the article, a bad option."""

    exit_code = 2


class UnknownArticleError(UsageError):
    def __init__(self, article_id: str) -> None:
        super().__init__(f"unknown article id: {article_id!r} (see `tui list`)")
        self.article_id = article_id


class StoreError(TuiError):
    """The store cannot do what was asked: a damaged file, a read-only store, a held lock."""


class DamagedFileError(StoreError):
    """The file is not a store we can read; the message says what is wrong and where."""

    verb = "is damaged"


class NewerSchemaError(DamagedFileError):
    verb = "was written by a newer tui"


class UnreadableFileError(DamagedFileError):
    """The file system will not let us look at the file (a folder in the way, no permission)."""

    verb = "cannot be read"
