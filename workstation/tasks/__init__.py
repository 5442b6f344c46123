"""Long work as plain functions with a small progress/cancel object (``tasks.progress``; no threads, no Qt here)."""
