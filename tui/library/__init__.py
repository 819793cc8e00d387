"""The library: the article model and its parser, the listing kept in SQLite, lazily read texts, the filter."""
