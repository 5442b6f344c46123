"""recon layer (see DESIGN.md)."""
