"""A well-behaved test plugin: numpy only, fast (see ../README.md)."""
