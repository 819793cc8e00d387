"""The shell: the Textual app, its screens, widgets, messages and palette commands.

Everything that imports Textual or Rich lives here; the core beside it (`tui.library_*`, `tui.similarity`,
`tui.stories`, `tui.annotations`, `tui.export`, `tui.intake`, `tui.cli`) runs and is tested without a screen.
`tui.app.factory.make_app` is the one door from the core (the CLI) into the shell.
"""
