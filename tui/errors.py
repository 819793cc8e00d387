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
