"""Screens of the reading app: Library, Reader, Compare, Notes, Help and small dialogs."""
