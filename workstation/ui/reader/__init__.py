"""The reading window: main window, view widgets, reader tools, undo, the Reading menu and remembered choices."""
