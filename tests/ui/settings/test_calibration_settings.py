"""The camera calibration settings page: adds checked entries to the store the dosimetry reads, shows them."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDate

pytestmark = pytest.mark.gui


def test_add_list_and_refuse_from_the_page(qtbot):
    from workstation.settings.camera_calibration import entries, find_entry, max_age_days
    from workstation.ui.settings.calibration_settings import CalibrationSettingsDialog

    dlg = CalibrationSettingsDialog()
    qtbot.addWidget(dlg)
    assert dlg.table.rowCount() == 0
    dlg.camera_edit.setText("Siemens / Symbia Intevo / 1234")
    dlg.nuclide_combo.setCurrentText("Lu-177")
    dlg.cps_spin.setValue(0.0)
    assert not dlg.add_from_widgets() and "cps/MBq" in dlg.status.text() and entries() == []
    dlg.cps_spin.setValue(9.35)
    dlg.date_edit.setDate(QDate(2025, 2, 14))
    dlg.who_edit.setText("physicist B")
    assert dlg.add_from_widgets()
    e = find_entry("Siemens / Symbia Intevo / 1234", "Lu-177")
    assert (e.cps_per_mbq, e.measured, e.who) == (9.35, "2025-02-14", "physicist B")
    assert dlg.table.rowCount() == 1 and dlg.table.item(0, 0).text() == "Siemens / Symbia Intevo / 1234"
    assert dlg.table.item(0, 3).text() == "2025-02-14"
    dlg.age_spin.setValue(90)
    dlg.save_max_age()
    assert max_age_days() == 90
