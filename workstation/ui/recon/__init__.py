"""The reconstruction panel (plugins run in their own process)."""
