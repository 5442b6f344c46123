"""Pure data models (numpy + stdlib only): geometry, volumes, PET acquisition facts. Import each from its module."""
