"""The follow-up reading window and opening it from the viewer."""
