"""Test support shipped with the package (see DESIGN.md, "Tests").

Synthetic studies built in code and the reconstruction plugin contract suite, importable by our
tests and by a third-party plugin's tests. Registered as a pytest plugin (entry point
``pytest11``: ``workstation.testing.plugin``), which provides the shared fixtures.
"""
