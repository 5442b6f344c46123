"""Talking to the hospital: the DICOM node (DIMSE, pynetdicom) and DICOMweb (dicomweb-client).

Row 2. pynetdicom and dicomweb-client are imported only here. Modules:

- ``store``: the managed store, where received files are written atomically and indexed;
- ``scp``: our storage + verification SCP (runs as its own process, see ``process``);
- ``query_scp``: the same node answering C-FIND, C-GET and C-MOVE from the study database;
- ``outbox``: the persistent outgoing queue (reports sent back: retry, backoff, nothing sent twice);
- ``scu``: C-ECHO, C-FIND, C-MOVE, C-GET and C-STORE towards a configured peer;
- ``web``: QIDO-RS, WADO-RS and STOW-RS with basic or bearer auth;
- ``logs``: keeps patient names and IDs out of every log line (pynetdicom's included).
"""
