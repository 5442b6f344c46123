"""The hub's remote-reading views: the reading worklist (what is waiting, from whom, how urgent, who
reads it), "Sign and send" for a reported study, and the outgoing queue (what goes back, its state).

Relative imports among the modules of this package only; the rest of the workstation by absolute imports.
"""
