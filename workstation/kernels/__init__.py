"""kernels layer (see DESIGN.md)."""
