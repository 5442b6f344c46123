"""Settings dialogs (the DICOM node and its peers)."""
