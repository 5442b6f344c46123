"""settings layer (see DESIGN.md)."""
