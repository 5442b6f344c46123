"""The camera calibration settings page: the cps/MBq factors kept per camera and nuclide, with their dates.

The table shows every stored measurement, newest first (``settings.camera_calibration``, the same
``camera_calibration.json`` that ``workstation dosimetry calibration`` writes). "Add" checks and stores
one measurement (a bad value is shown in the status line and nothing is written); the maximum age is
the number of days after which a factor is still used but warned about. A counts SPECT opened for
dosimetry finds its factor here by its header's camera name and its nuclide.
"""

from __future__ import annotations

import datetime as _dt

from PySide6.QtCore import QT_TRANSLATE_NOOP, QDate
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QGroupBox,
                               QHeaderView, QLabel, QLineEdit, QPushButton, QSpinBox, QTableWidget, QTableWidgetItem,
                               QVBoxLayout)

COLUMNS = (QT_TRANSLATE_NOOP("CalibrationSettingsDialog", "Camera"),
           QT_TRANSLATE_NOOP("CalibrationSettingsDialog", "Nuclide"),
           QT_TRANSLATE_NOOP("CalibrationSettingsDialog", "cps/MBq"),
           QT_TRANSLATE_NOOP("CalibrationSettingsDialog", "Measured"),
           QT_TRANSLATE_NOOP("CalibrationSettingsDialog", "Age (days)"),
           QT_TRANSLATE_NOOP("CalibrationSettingsDialog", "Who"))


class CalibrationSettingsDialog(QDialog):
    """List and add camera calibration factors; set the age after which they are warned about."""

    def __init__(self, parent=None):
        super().__init__(parent)
        from workstation.core.vocabulary import NUCLIDES

        self.setWindowTitle(self.tr("Camera calibration (dosimetry)"))
        self.setObjectName("calibration-settings")
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.camera_edit = QLineEdit()
        self.camera_edit.setPlaceholderText(self.tr("Manufacturer / ManufacturerModelName / DeviceSerialNumber"))
        self.nuclide_combo = QComboBox()
        self.nuclide_combo.addItems(sorted(n for n, v in NUCLIDES.items() if v.electron_energy_mev is not None))
        if self.nuclide_combo.findText("Lu-177") >= 0:
            self.nuclide_combo.setCurrentText("Lu-177")
        self.cps_spin = QDoubleSpinBox()
        self.cps_spin.setDecimals(4)
        self.cps_spin.setRange(0.0, 1e6)
        self.cps_spin.setSuffix(" cps/MBq")
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setCalendarPopup(True)
        self.who_edit = QLineEdit()
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText(self.tr("energy windows, collimator, phantom (optional)"))
        add = QPushButton(self.tr("Add"))
        add.clicked.connect(self.add_from_widgets)
        form = QFormLayout()
        form.addRow(self.tr("Camera"), self.camera_edit)
        form.addRow(self.tr("Nuclide"), self.nuclide_combo)
        form.addRow(self.tr("Sensitivity"), self.cps_spin)
        form.addRow(self.tr("Date measured"), self.date_edit)
        form.addRow(self.tr("Measured by"), self.who_edit)
        form.addRow(self.tr("Note"), self.note_edit)
        form.addRow("", add)
        box = QGroupBox(self.tr("New measurement"))
        box.setLayout(form)
        self.age_spin = QSpinBox()
        self.age_spin.setRange(1, 10000)
        self.age_spin.setSuffix(self.tr(" days"))
        self.age_spin.editingFinished.connect(self.save_max_age)
        age_form = QFormLayout()
        age_form.addRow(self.tr("Warn when older than"), self.age_spin)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(self.tr("Stored factors (the newest per camera and nuclide is used)")))
        lay.addWidget(self.table)
        lay.addWidget(box)
        lay.addLayout(age_form)
        lay.addWidget(self.status)
        lay.addWidget(buttons)
        self.resize(820, 560)
        self.refresh()

    def refresh(self) -> None:
        from workstation.settings.camera_calibration import CalibrationError, entries, max_age_days

        try:
            rows = entries()
            self.age_spin.setValue(max_age_days())
        except CalibrationError as exc:
            self.status.setText(str(exc))
            rows = []
        today = _dt.date.today()
        self.table.setRowCount(len(rows))
        for r, e in enumerate(rows):
            cells = [e.camera, e.nuclide, f"{e.cps_per_mbq:.4g}", e.measured, str((today - e.measured_date).days),
                     e.who]
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))

    def add_from_widgets(self) -> bool:
        """Check and store the measurement in the form; the status line says what happened."""
        from workstation.settings.camera_calibration import CalibrationError, add_entry

        try:
            e = add_entry(self.camera_edit.text(), self.nuclide_combo.currentText(), float(self.cps_spin.value()),
                          self.date_edit.date().toString("yyyy-MM-dd"), self.who_edit.text(), self.note_edit.text())
        except CalibrationError as exc:
            self.status.setText(str(exc))
            return False
        self.status.setText(self.tr("Stored {0} cps/MBq for {1}, {2}, measured {3}.").format(
            f"{e.cps_per_mbq:g}", e.camera, e.nuclide, e.measured))
        self.refresh()
        return True

    def save_max_age(self) -> None:
        from workstation.settings.camera_calibration import CalibrationError, set_max_age_days

        try:
            set_max_age_days(int(self.age_spin.value()))
        except CalibrationError as exc:
            self.status.setText(str(exc))


def open_calibration_settings(parent=None) -> CalibrationSettingsDialog:
    """Show the page (non-modal, owned by ``parent``) and return it."""
    dlg = CalibrationSettingsDialog(parent)
    dlg.show()
    return dlg
