"""Theranostics dosimetry (place reserved): time points, time-activity curves, fits, time-integrated activity and
absorbed dose."""
