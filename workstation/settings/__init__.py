"""Settings and per-user locations (row 2): ``paths`` (data folder), ``fonts``, ... each imported from its module."""
