"""Test plugin for the recon host (see ../README.md)."""
