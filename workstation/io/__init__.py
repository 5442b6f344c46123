"""io layer (see DESIGN.md)."""
