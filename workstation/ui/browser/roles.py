"""Item data roles of the study browser's tree (shared by the browser and its diagnostics)."""

from PySide6.QtCore import Qt

STUDY_UID_ROLE = Qt.ItemDataRole.UserRole + 1  # Study Instance UID of a study or series item
SERIES_UID_ROLE = Qt.ItemDataRole.UserRole + 2  # Series Instance UID of a series item
CONFLICTS_ROLE = Qt.ItemDataRole.UserRole + 3  # number of UID conflicts of a study item
