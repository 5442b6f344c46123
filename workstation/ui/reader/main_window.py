"""The main window: study browser, hanging protocol of linked views, tools and readout.

Concept
-------
Two pages: the study browser and the reading page. The reading page lays out ``ViewWidget``s
from a layout of ``analysis.fusion.LAYOUTS`` (the 3x3 CT/PET/fused grid with the MIP, or a large
fused view beside the MIP); all views share one ``ReadingSession``, so the crosshair, windows and
colour map are linked by construction. Tool bar: layout, CT and PET window presets, colour map,
PET opacity, MIP cine, anonymise, registration and nudge. The status bar shows the live cursor
readout (world LPS mm, HU, SUV with its type) and the progress of background work (loading,
registration, resampling) with a cancel button. The SUV panel is a dock. The Reading menu saves,
reverts and autosaves the reading in the study database; the Export menu writes DICOM SEG / SR /
RWVM / key images and the PDF report (``reading_menu``).
"""

from __future__ import annotations

import logging

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QGridLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSlider,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from workstation.analysis.reading import study_open
from workstation.core.volume import needs_registration
from workstation.core.display import COLORMAPS, CT_PRESETS, LAYOUTS, PET_PRESETS
from workstation.analysis.reading.session import ReadingSession
from workstation.core.display import HOTSPOT_PRESET


def _close(a, b, rel: float = 1e-6) -> bool:
    return all(abs(x - y) <= rel * max(abs(x), abs(y), 1e-12) for x, y in zip(a, b))

from workstation.ui.browser.study_browser import StudyBrowser
from workstation.ui.followup.open_previous import FollowupLauncher
from workstation.ui.reader.reading_menu import ReadingPersistence
from workstation.ui.i18n import display_name
from workstation.ui.quant.suv_panel import SuvPanel
from workstation.ui.quant.voi_panel import VoiPanel
from workstation.ui.reader.view_widget import ViewWidget
from workstation.ui.reader.measure_tools import MeasureTools
from workstation.ui.reader.undo import UndoController
from workstation.tasks.collector import release_memory
from workstation.ui.workers import Job, JobSlot, show_progress, stop_window_jobs


# the fixed registration notes of a reading session (analysis.reading.session; reset_alignment below), shown translated
REGISTRATION_NOTES = (QT_TRANSLATE_NOOP("MainWindow", "rigid MI"), QT_TRANSLATE_NOOP("MainWindow", "manual nudge"),
                      QT_TRANSLATE_NOOP("MainWindow", "scanner alignment"))


class MainWindow(QMainWindow):
    def __init__(self, db=None, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("PET/CT workstation"))
        self.resize(1500, 950)
        self.db = db
        self.session: ReadingSession | None = None
        self.views: dict[str, ViewWidget] = {}
        self.load_jobs, self.pet_jobs, self.mip_jobs = JobSlot(self), JobSlot(self), JobSlot(self)
        self.last_error = ""
        # pages
        self.pages = QStackedWidget()
        self.browser = StudyBrowser(db)
        self.browser.pair_activated.connect(lambda st, pet, anat: self.load_study(st, pet or None, anat or None))
        self.reading = QWidget()
        self.grid = QGridLayout(self.reading)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(2)
        self.pages.addWidget(self.browser)
        self.pages.addWidget(self.reading)
        self.setCentralWidget(self.pages)
        self._build_toolbar()
        self._build_menu()
        self._build_statusbar()
        self.suv_panel = SuvPanel()
        dock = QDockWidget(self.tr("SUV"), self)
        dock.setObjectName("suv-dock")
        dock.setWidget(self.suv_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        dock.hide()
        self.suv_dock = dock
        self.suv_panel.attach_flag_button(self.suv_button)  # the unknown-sex badge, seen with the panel closed
        self.voi_panel = VoiPanel()  # VOI tools, lesion table, CSV export (dock, toggled by "VOIs…")
        self.voi_dock = QDockWidget(self.tr("VOIs"), self)
        self.voi_dock.setObjectName("voi-dock")
        self.voi_dock.setWidget(self.voi_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.voi_dock)
        self.voi_dock.hide()
        self.persistence = ReadingPersistence(self)  # Reading menu (save / revert / autosave) and Export menu
        if getattr(self.browser, "worklist", None) is not None:  # remote reading: Export > Sign and send…
            from workstation.ui.worklist.reader_hook import SignAndSend

            self.sign_and_send = SignAndSend(self)
        self.undo = UndoController(self)  # Edit menu: Ctrl+Z / Ctrl+Y of VOI edits and PET alignment (ui.reader.undo)
        self.measure = MeasureTools(self)  # Tools: hover readout, distance, line profile, VOI histogram
        self.followup = FollowupLauncher(self)  # Follow-up menu: "Compare with previous…" (ui.followup.open_previous)
        self.cine = QTimer(self)
        self.cine.setInterval(120)
        self.cine.timeout.connect(self._cine_step)
        self._set_tools_enabled(False)
        from workstation.ui.reader.reading_prefs import ReadingPrefs

        self.reading_prefs = ReadingPrefs()  # layout and windows remembered per user (settings.viewer_prefs)
        self.active_view_key: str | None = None  # the view under the mouse or last clicked: keys act on it
        self.shortcuts_box: QMessageBox | None = None

    # ------------------------------------------------------------ building
    def _combo(self, items, slot, name) -> QComboBox:
        """A choice among named items: shown translated, the item's own name is its data (what slots get)."""
        box = QComboBox()
        box.setObjectName(name)
        for item in items:
            box.addItem(display_name(item), item)
        box.activated.connect(lambda _i, b=box: slot(b.currentData()))
        return box

    @staticmethod
    def _choose(box: QComboBox, item: str) -> None:
        i = box.findData(item)
        if i >= 0:
            box.setCurrentIndex(i)

    def _build_toolbar(self) -> None:
        tb = QToolBar(self.tr("Reading"))
        tb.setObjectName("reading-toolbar")
        self.addToolBar(tb)
        self.browser_button = QPushButton(self.tr("Studies"))
        self.browser_button.clicked.connect(lambda: self.pages.setCurrentWidget(self.browser))
        tb.addWidget(self.browser_button)
        tb.addSeparator()
        self.layout_box = self._combo(LAYOUTS, self.set_layout, "layout")
        self.ct_preset_box = self._combo(CT_PRESETS, lambda n: self.session.set_ct_preset(n), "ct-preset")
        self.pet_preset_box = self._combo(list(PET_PRESETS) + ["custom"], self._pet_preset, "pet-preset")
        self.cmap_box = self._combo(COLORMAPS, lambda n: self.session.set_colormap(n), "colormap")
        self.anat_window_label = QLabel(" {} ".format(self.tr("CT")))
        self.anat_window_label.setObjectName("anat-window-label")
        self.functional_window_label = QLabel(" {} ".format(self.tr("PET")))
        self.functional_window_label.setObjectName("functional-window-label")
        self.unit_box = QComboBox()  # the functional image's display unit (SUV, Bq/mL, kBq/mL, %IA/mL)
        self.unit_box.setObjectName("display-unit")
        self.unit_box.setToolTip(self.tr("unit of the PET/SPECT values shown in the views, the colour bar and the "
                                         "readout (VOI statistics stay in SUV)"))
        self.unit_box.activated.connect(lambda _i: self._set_display_unit(self.unit_box.currentData()))
        for label, w in ((QLabel(" {} ".format(self.tr("Layout"))), self.layout_box),
                         (self.anat_window_label, self.ct_preset_box),
                         (self.functional_window_label, self.pet_preset_box),
                         (None, self.unit_box),
                         (QLabel(" {} ".format(self.tr("Colours"))), self.cmap_box)):
            if label is not None:
                tb.addWidget(label)
            tb.addWidget(w)
        tb.addWidget(QLabel(" {} ".format(self.tr("Opacity"))))
        self.opacity_slider = QSlider(Qt.Orientation.Horizontal)
        self.opacity_slider.setRange(0, 100)
        self.opacity_slider.setValue(50)
        self.opacity_slider.setFixedWidth(110)
        self.opacity_slider.valueChanged.connect(lambda v: self.session and self.session.set_opacity(v / 100.0))
        tb.addWidget(self.opacity_slider)
        tb.addSeparator()
        self.cine_button = QPushButton(self.tr("Play MIP"))
        self.cine_button.setCheckable(True)
        self.cine_button.toggled.connect(self.set_cine)
        tb.addWidget(self.cine_button)
        self.anon_check = QCheckBox(self.tr("Anonymise"))
        self.anon_check.toggled.connect(self.set_anonymise)
        tb.addWidget(self.anon_check)
        tb.addSeparator()
        self.register_button = QPushButton(self.tr("Register PET→CT"))
        self.register_button.setToolTip(self.tr("propose a rigid registration; nothing changes until you accept it"))
        self.register_button.clicked.connect(self.start_registration)
        tb.addWidget(self.register_button)
        self.reset_alignment_button = QPushButton(self.tr("Scanner alignment"))
        self.reset_alignment_button.setToolTip(self.tr("show the PET as the scanners placed it (no registration); undoable"))
        self.reset_alignment_button.clicked.connect(self.reset_alignment)
        tb.addWidget(self.reset_alignment_button)
        self.undo_registration_button = QPushButton(self.tr("Undo alignment"))
        self.undo_registration_button.setToolTip(self.tr("go back to the previous stored alignment of this PET/CT pair"))
        self.undo_registration_button.clicked.connect(self.undo_registration)
        tb.addWidget(self.undo_registration_button)
        self.nudge_buttons = {}
        for text, d in (("◀", (-2, 0, 0)), ("▶", (2, 0, 0)), ("▲", (0, 0, 2)), ("▼", (0, 0, -2)),
                         ("A", (0, -2, 0)), ("P", (0, 2, 0))):
            b = QPushButton(text)
            b.setToolTip(self.tr("move the PET {} mm (x=patient left, y=posterior, z=head)").format(d))
            b.setFixedWidth(28)
            b.clicked.connect(lambda _c=False, d=d: self.nudge(*d))
            tb.addWidget(b)
            self.nudge_buttons[d] = b
        self.suv_button = QPushButton(self.tr("SUV…"))
        self.suv_button.clicked.connect(lambda: self.suv_dock.setVisible(not self.suv_dock.isVisible()))
        tb.addWidget(self.suv_button)
        self.voi_button = QPushButton(self.tr("VOIs…"))
        self.voi_button.clicked.connect(lambda: self.voi_dock.setVisible(not self.voi_dock.isVisible()))
        tb.addWidget(self.voi_button)
        self.recon_button = QPushButton(self.tr("Reconstruct…"))  # raw data -> PET in this study (recon_panel)
        self.recon_button.clicked.connect(self.show_recon_panel)
        tb.addWidget(self.recon_button)
        self.qa_button = QPushButton(self.tr("QA…"))  # physicist QA of the PET shown (qa_panel)
        self.qa_button.clicked.connect(self.show_qa_panel)
        tb.addWidget(self.qa_button)
        from workstation.ui.reader.toolbar_overflow import ToolbarOverflow

        self.toolbar_overflow = ToolbarOverflow(self, tb)  # what does not fit: "More ▾" in the menu bar

    def _build_menu(self) -> None:
        """Settings: the language (saved; it applies at the next start, as the message says)."""
        from workstation.ui import i18n

        menu = self.menuBar().addMenu(self.tr("Settings"))
        lang_menu = menu.addMenu(self.tr("Language"))
        current = i18n.saved_language() or i18n.system_language()
        self.language_actions = {}
        group = QActionGroup(self)
        for code, name in i18n.LANGUAGES.items():
            act = lang_menu.addAction(name)  # each language is named in itself
            act.setCheckable(True)
            act.setChecked(code == current)
            act.setData(code)
            group.addAction(act)
            act.triggered.connect(lambda _c=False, code=code: self.choose_language(code))
            self.language_actions[code] = act
        from workstation.ui.settings.node_settings import open_node_settings  # our DICOM node: AE title, port, peers, storage, start/stop

        self.node_settings_action = menu.addAction(self.tr("DICOM node…"))
        self.node_settings_action.triggered.connect(lambda: open_node_settings(self))
        from workstation.ui.settings.calibration_settings import open_calibration_settings  # cps/MBq per camera, nuclide

        self.calibration_settings_action = menu.addAction(self.tr("Camera calibration (dosimetry)…"))
        self.calibration_settings_action.triggered.connect(lambda: open_calibration_settings(self))
        cohort = self.menuBar().addMenu(self.tr("Cohort"))  # results of `workstation batch run` (ui/batch)
        self.batch_results_action = cohort.addAction(self.tr("Open batch results…"))
        self.batch_results_action.triggered.connect(lambda: self.show_batch_results())

    def show_batch_results(self, path=None):
        """The batch results browser (sort, filter, open a row's study with its lesions)."""
        from workstation.ui.batch.results_window import open_batch_results

        return open_batch_results(self, path)

    def choose_language(self, code: str) -> None:
        from workstation.ui import i18n

        i18n.save_language(code)
        self.message_label.setText(self.tr("The language changes when the workstation is started again."))

    def _build_statusbar(self) -> None:
        sb = self.statusBar()
        self.readout_label = QLabel("")
        self.readout_label.setObjectName("readout")
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setFixedWidth(220)
        self.progress_bar.hide()
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self.cancel_work)
        self.message_label = QLabel("")
        sb.addWidget(self.readout_label, 1)
        sb.addPermanentWidget(self.message_label)
        sb.addPermanentWidget(self.progress_bar)
        sb.addPermanentWidget(self.cancel_button)

    def _set_tools_enabled(self, on: bool) -> None:
        for w in (self.layout_box, self.ct_preset_box, self.pet_preset_box, self.cmap_box, self.opacity_slider,
                  self.cine_button, self.register_button, self.reset_alignment_button, self.undo_registration_button,
                  self.suv_button, *self.nudge_buttons.values()):
            w.setEnabled(on)

    # ------------------------------------------------------------ background work
    def _run(self, slot: JobSlot, job: Job, on_success, label: str) -> Job:
        job.progressed.connect(lambda f, m: self._show_progress(f, m or label))
        job.cancelled.connect(lambda: self.message_label.setText(self.tr("{}: cancelled").format(label)))
        job.done.connect(self._work_done)
        self.progress_bar.setValue(0)
        self.progress_bar.show()
        self.cancel_button.show()
        self.message_label.setText(label)

        def succeeded(result):
            self.message_label.setText(self.tr("{}: done").format(label))  # first: messages set by on_success (e.g. "frames of
            on_success(result)  # reference differ") win

        return slot.start(job, on_result=succeeded, on_error=lambda msg: self._error(label, msg))

    def _show_progress(self, frac: float, msg: str) -> None:
        show_progress(self.progress_bar, frac, msg)

    def _work_done(self) -> None:
        if not any(s.job is not None and s.job.is_running() for s in (self.load_jobs, self.pet_jobs)):
            self.progress_bar.hide()
            self.cancel_button.hide()

    def _error(self, label: str, msg: str) -> None:
        self.last_error = f"{label}: {msg}"
        self.message_label.setText(self.last_error)
        if self.isVisible():
            QMessageBox.warning(self, label, msg)

    def cancel_work(self) -> None:
        for slot in (self.load_jobs, self.pet_jobs):
            slot.cancel()

    def closeEvent(self, ev) -> None:
        """The cine stops with the window, and every job of the window (loading, MIP, registration, segmentation,
        structures, exports, follow-up) is cancelled and joined; their late results are dropped."""
        self.cine.stop()
        stop_window_jobs(self)
        self.persistence.window_closed()  # autosaved now if unsaved; no timer outlives the window
        self.browser.stop_background()
        super().closeEvent(ev)
        QTimer.singleShot(0, release_memory)  # once the closed window's objects are gone: memory back to the system

    def busy(self) -> bool:
        return any(s.job is not None and s.job.is_running() for s in (self.load_jobs, self.pet_jobs, self.mip_jobs))

    # ------------------------------------------------------------ loading
    def load_folder(self, path: str, pet_uid: str | None = None, anat_uid: str | None = None) -> Job:
        """Read the PET and CT/MR found below a folder (the given series, or the usual pair), off the UI thread."""
        self._structure_source = ("folder", str(path))  # where the structures list looks (voi_panel.structures)
        return self._run(self.load_jobs, Job(study_open.open_folder, str(path), pet_uid, anat_uid, db=self.db, name="load"),
                         self._set_loaded_session, self.tr("Loading study"))

    def load_study(self, study_uid: str, pet_uid: str | None = None, anat_uid: str | None = None) -> Job:
        """Read a study of the database (the chosen PET over the chosen CT/MR; None: the usual pair)."""
        self._structure_source = ("db", study_uid)
        return self._run(self.load_jobs, Job(study_open.open_study, self.db, study_uid, pet_uid, anat_uid, name="load"),
                         self._set_loaded_session, self.tr("Loading study"))

    def _set_loaded_session(self, session: ReadingSession) -> None:
        from workstation.ui.reader.load_notes import show_load_notes  # files the loader skipped are named in the message line

        self.set_session(session)
        show_load_notes(self, session)

    def set_session(self, session: ReadingSession) -> None:
        if self.session is not None:
            self.session.events.disconnect("*", self._on_session_event)
        for v in self.views.values():
            v.detach()
            v.setParent(None)
            v.deleteLater()
        self.views.clear()
        self.session = session
        if self.db is not None:  # the audit trail: who opened which study (by UID), when
            try:
                self.db.audit_open([session.pet, session.anatomical], "viewer")
            except Exception:  # noqa: BLE001 - a read-only database must not stop reading
                logging.getLogger(__name__).warning("could not write the audit trail", exc_info=True)
        session.set_anonymise(self.anon_check.isChecked())
        session.events.connect("*", self._on_session_event)
        self._suv_units_shown = session.suv_units if session.pet is not None else None
        self.suv_panel.set_session(session)
        self.voi_panel.set_session(session)
        self.voi_panel.structures.find(session, *getattr(self, "_structure_source", (None, None)), db=self.db)
        self._set_tools_enabled(True)
        pair = session.pet is not None and session.anatomical is not None
        for b in (self.register_button, self.reset_alignment_button, self.undo_registration_button):
            b.setEnabled(pair)
        self._apply_modality_labels(session)
        self.reading_prefs.apply(session)  # the reader's remembered layout / windows (a stored reading wins later)
        self._update_title()
        self.set_layout(session.layout)
        self.pages.setCurrentWidget(self.reading)
        self._update_readout()
        self._sync_controls()
        if session.registration_stored is not None:
            self.message_label.setText(self.tr("PET aligned with the {}").format(self._note(session.registration_note)))
        elif session.pet is not None and needs_registration(session.pet, session.anatomical):
            self.message_label.setText(
                self.tr("PET and MR frames of reference differ: use 'Register PET→MR' or nudge")
                if session.anat_label == "MR" else
                self.tr("PET and CT frames of reference differ: use 'Register PET→CT' or nudge"))
            self._offer_registration()
        self.persistence.session_opened(session)  # the stored reading (saved or autosaved) comes back
        self.undo.attach(session)  # the history starts after the stored reading came back
        self.measure.set_session(session)
        if session.pet is not None:
            self.mip_jobs.start(Job(session.precompute_mip, name="mip"))

    def _sync_controls(self) -> None:
        s = self.session
        self._choose(self.layout_box, s.layout)
        self._choose(self.cmap_box, s.colormap)
        self.opacity_slider.blockSignals(True)
        self.opacity_slider.setValue(int(round(s.opacity * 100)))
        self.opacity_slider.blockSignals(False)
        ct = next((n for n, v in s.window_presets().items() if v == s.ct_window), None)
        if ct:
            self._choose(self.ct_preset_box, ct)
        suv_presets = PET_PRESETS if s.effective_display_unit == "SUV" and s.suv.factor is not None else {}
        pet = next((n for n, v in suv_presets.items() if v == s.pet_window), "custom")
        if pet == "custom" and s.pet is not None and _close(s.pet_window, s.hotspot_pet_window()):
            pet = HOTSPOT_PRESET
        self._fill_pet_presets(s)
        self._choose(self.pet_preset_box, pet)
        self._fill_units(s)

    def _fill_pet_presets(self, s) -> None:
        """The window presets of the functional image: the SUV presets when it is shown in SUV, the hot-spot
        window (``ReadingSession.hotspot_pet_window``) always."""
        names = (list(PET_PRESETS) if s.effective_display_unit == "SUV" and s.suv.factor is not None else []) \
            + [HOTSPOT_PRESET, "custom"]
        if [self.pet_preset_box.itemData(i) for i in range(self.pet_preset_box.count())] == names:
            return
        self.pet_preset_box.blockSignals(True)
        self.pet_preset_box.clear()
        for name in names:
            self.pet_preset_box.addItem(display_name(name), name)
        self.pet_preset_box.blockSignals(False)

    def _fill_units(self, s) -> None:
        units = s.available_units() if s.pet is not None else []
        if [self.unit_box.itemData(i) for i in range(self.unit_box.count())] != units:
            self.unit_box.blockSignals(True)
            self.unit_box.clear()
            for u in units:
                self.unit_box.addItem(s.suv_units if u == "SUV" else u, u)
            self.unit_box.blockSignals(False)
        else:
            i = self.unit_box.findData("SUV")
            if i >= 0:
                self.unit_box.setItemText(i, s.suv_units)
        self._choose(self.unit_box, s.effective_display_unit)
        self.unit_box.setEnabled(len(units) > 1)

    def _set_display_unit(self, unit) -> None:
        if self.session is None or unit is None:
            return
        try:
            self.session.set_display_unit(unit)
        except ValueError as exc:
            self.message_label.setText(str(exc))
        self._sync_controls()

    def _on_session_event(self, event: str, **kw) -> None:
        if event == "suv_refused":  # the previous SUV type stays: say why, in the message line
            self.message_label.setText(kw.get("message", ""))
            return
        self.reading_prefs.note(event, self.session)
        if event in ("crosshair", "pet"):
            self._update_readout()
        if event == "pet" and self.session is not None and self.session.pet is not None:
            units = self.session.suv_units
            if getattr(self, "_suv_units_shown", None) not in (None, units):
                self.message_label.setText(self.tr("Values now in {}: VOIs, lesions and structures re-measured")
                                           .format(units))
            self._suv_units_shown = units
        if event == "pet" and self.session is not None and self.session.pet is not None:
            self.mip_jobs.start(Job(self.session.precompute_mip, name="mip"))  # new SUV factors: new MIP frames
        if event in ("ct_window", "pet_window", "colormap", "opacity", "layout"):
            self._sync_controls()

    def _apply_modality_labels(self, s: ReadingSession) -> None:
        """Name the anatomy as what it is: "MR" (MR window presets, "Register PET→MR") or "CT"; the functional
        image "SPECT" or "PET"."""
        mr = s.anat_label == "MR"
        self.anat_window_label.setText(" {} ".format(self.tr("MR") if mr else self.tr("CT")))
        self.functional_window_label.setText(" {} ".format(self.tr("SPECT") if s.functional_label == "SPECT"
                                                         else self.tr("PET")))
        self.register_button.setText(self.tr("Register PET→MR") if mr else self.tr("Register PET→CT"))
        self.ct_preset_box.blockSignals(True)
        self.ct_preset_box.clear()
        for name in s.window_presets():
            self.ct_preset_box.addItem(display_name(name), name)
        self.ct_preset_box.blockSignals(False)
        self.ct_preset_box.setEnabled(s.anatomical is not None)  # PET-only / SPECT: no anatomy to window

    def _update_readout(self) -> None:
        s = self.session
        if s is None:
            return
        text = s.readout_text()
        if s.registration_note:
            text += "   [{}]".format(self.tr("PET: {}").format(self._note(s.registration_note)))
        self.readout_label.setText(text)

    # ------------------------------------------------------------ layout & display
    def set_layout(self, name: str) -> None:
        s = self.session
        if s is None:
            return
        if s.layout != name:
            s.set_layout(name)
        lay = LAYOUTS[name]
        for v in list(self.views.values()):
            self.grid.removeWidget(v)
            v.hide()
        for c in range(self.grid.columnCount()):
            self.grid.setColumnStretch(c, 0)
        for r in range(self.grid.rowCount()):
            self.grid.setRowStretch(r, 0)
        weights = lay.col_weights or (1,) * lay.cols
        for c, w in enumerate(weights):
            self.grid.setColumnStretch(c, int(round(w * 100)))
        for r in range(lay.rows):
            self.grid.setRowStretch(r, 1)
        for cell in lay.cells:
            v = self.views.get(cell.key)
            if v is None:
                v = self.views[cell.key] = ViewWidget(s, cell.kind, cell.plane)
                v.activated.connect(self._view_activated)
            self.grid.addWidget(v, cell.row, cell.col, cell.rowspan, cell.colspan)
            v.show()
        self._choose(self.layout_box, name)
        self.voi_panel.attach_views(self.views)
        self.measure.attach_views(self.views)

    # ------------------------------------------------------------ keyboard
    def _view_activated(self, key: str) -> None:
        self.active_view_key = key

    def target_view(self) -> ViewWidget | None:
        """The view keys act on: the one under the mouse or last clicked, else the layout's first."""
        views = self.visible_views()
        if self.active_view_key in views:
            return views[self.active_view_key]
        if self.session is None:
            return None
        for cell in LAYOUTS[self.session.layout].cells:
            if cell.key in views:
                return views[cell.key]
        return None

    def shortcut_list(self) -> list[tuple[str, str]]:
        """(keys, what they do) of the reading shortcuts, as F1 shows them."""
        return [
            ("↑ / ↓  ← / →", self.tr("next / previous slice (MIP: rotate) in the view under the mouse")),
            (self.tr("PgUp / PgDn"), self.tr("10 slices forward / back")),
            ("+ / −", self.tr("zoom in / out")),
            (self.tr("Home"), self.tr("reset zoom and pan")),
            ("1 … 5", self.tr("CT/MR window presets in the order of the tool bar")),
            (self.tr("Space"), self.tr("play / pause the rotating MIP")),
            ("Ctrl+Z / Ctrl+Y", self.tr("undo / redo VOI edits and PET alignment changes")),
            ("D / L / H", self.tr("distance / line profile tool, histogram of the selected VOI")),
            (self.tr("Esc"), self.tr("end the distance or profile tool")),
            ("F1", self.tr("this list")),
        ]

    def show_shortcuts(self) -> QMessageBox:
        rows = "".join(f"<tr><td><b>{k}</b>&nbsp;&nbsp;</td><td>{v}</td></tr>" for k, v in self.shortcut_list())
        if self.shortcuts_box is None:
            self.shortcuts_box = QMessageBox(QMessageBox.Icon.Information, self.tr("Keyboard shortcuts"), "",
                                             QMessageBox.StandardButton.Close, self)
            self.shortcuts_box.setObjectName("shortcuts")
            self.shortcuts_box.setModal(False)
        self.shortcuts_box.setText(f"<table>{rows}</table>")
        self.shortcuts_box.show()
        return self.shortcuts_box

    def handle_key(self, key: int) -> bool:
        """Apply a reading shortcut; False when the key is not one."""
        K = Qt.Key
        if key == K.Key_F1:
            self.show_shortcuts()
            return True
        s = self.session
        if s is None or self.pages.currentWidget() is not self.reading:
            return False
        if key == K.Key_Space:
            if s.pet is None:
                return False
            self.cine_button.toggle()
            return True
        if K.Key_1 <= key <= K.Key_9:
            names = list(s.window_presets())
            i = key - K.Key_1
            if i >= min(len(names), 5) or s.anatomical is None:
                return False
            s.set_ct_preset(names[i])
            return True
        view = self.target_view()
        if view is None:
            return False
        steps = {K.Key_Up: 1, K.Key_Right: 1, K.Key_Down: -1, K.Key_Left: -1,
                 K.Key_PageUp: 10, K.Key_PageDown: -10}.get(key)
        if steps is not None:
            view.step(steps)
        elif key in (K.Key_Plus, K.Key_Equal):
            view.zoom_by(1.25)
        elif key in (K.Key_Minus, K.Key_Underscore):
            view.zoom_by(1 / 1.25)
        elif key == K.Key_Home:
            view.reset_view()
        else:
            return False
        return True

    def keyPressEvent(self, ev) -> None:
        if ev.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            return super().keyPressEvent(ev)
        if self.handle_key(ev.key()):
            ev.accept()
        else:
            super().keyPressEvent(ev)

    def visible_views(self) -> dict[str, ViewWidget]:
        return {k: v for k, v in self.views.items() if v.isVisible()}

    def _pet_preset(self, name: str) -> None:
        if name == HOTSPOT_PRESET and self.session is not None:
            self.session.set_pet_window(*self.session.hotspot_pet_window())
        elif name in PET_PRESETS:
            self.session.set_pet_preset(name)

    def set_anonymise(self, on: bool) -> None:
        self.browser.set_anonymise(on)
        if self.session is not None:
            self.session.set_anonymise(on)
        self._update_title()

    def _update_title(self) -> None:
        """The patient's name in the title ("Family, Given", as in the browser and the overlay); hidden when anonymised."""
        from workstation.io.dicom_text import display_name as patient_display_name

        title = self.tr("PET/CT workstation")
        s = self.session
        vol = None if s is None else (s.anatomical if s.anatomical is not None else s.pet)
        name = "" if vol is None or self.anon_check.isChecked() else patient_display_name(vol.patient.name or "")
        self.setWindowTitle(f"{name} — {title}" if name else title)

    def set_cine(self, on: bool) -> None:
        if on:
            self.cine.start()
        else:
            self.cine.stop()
        self.cine_button.setText(self.tr("Pause MIP") if on else self.tr("Play MIP"))

    def _cine_step(self) -> None:
        if self.session is not None:
            self.session.set_mip_angle_index(self.session.mip_angle_index + 1)

    def show_qa_panel(self):
        from workstation.ui.qa.panel import attach_to

        return attach_to(self)

    def show_recon_panel(self):
        from workstation.ui.recon.panel import attach_to

        return attach_to(self)

    # ------------------------------------------------------------ registration
    def _note(self, note: str) -> str:
        """The session's registration note for display: the fixed ones translated (REGISTRATION_NOTES),
        the ones with numbers (a proposal's metrics, a stored version) as recorded."""
        return self.tr(note) if note in REGISTRATION_NOTES else note

    def _offer_registration(self) -> QMessageBox:
        """Frames of reference differ: offer the automatic registration or the manual nudge (non-blocking)."""
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Registration"),
                          self.tr("The PET and the CT/MR do not share a frame of reference.\n"
                                  "Register them automatically now, or align them by hand with the nudge buttons?"),
                          QMessageBox.StandardButton.NoButton, self)
        register = box.addButton(self.tr("Register now"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("Nudge by hand"), QMessageBox.ButtonRole.RejectRole)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.buttonClicked.connect(lambda b: b is register and self.start_registration())
        self.registration_offer = box
        if self.isVisible():
            box.show()
        return box

    def _keep_registration(self, s: ReadingSession, method: str, metric: float | None = None) -> None:
        """Store the session's PET transform with the study (database), so that it is re-applied."""
        if self.db is None:
            return
        try:
            study_open.save_registration(self.db, s, method, metric)
        except Exception as exc:  # the display keeps the transform; say that it was not stored
            self._error(self.tr("Keeping the registration"), f"{type(exc).__name__}: {exc}")

    def nudge(self, dx=0.0, dy=0.0, dz=0.0) -> Job | None:
        s = self.session
        if s is None or s.pet is None:
            return None
        t = s.nudged_transform(dx, dy, dz)
        job = Job(lambda progress: s.compute_pet_arrays(t, progress), name="nudge")

        def apply(arrays):
            s.set_pet_transform(t, study_open.METHOD_NUDGE, arrays=arrays)
            self._keep_registration(s, study_open.METHOD_NUDGE)

        return self._run(self.pet_jobs, job, apply, self.tr("Moving PET"))

    def start_registration(self) -> Job | None:
        """Compute a registration *proposal* in the background and show it; nothing changes until accepted."""
        from workstation.analysis.registration.rigid import propose_registration

        s = self.session
        if s is None or s.pet is None or s.anatomical is None:
            return None
        current = s.pet_from_anat.copy()

        def work(progress):
            prop = propose_registration(s.anatomical, s.pet, progress=progress.sub(0.0, 0.8), current=current)
            return prop, s.compute_pet_arrays(prop.after, progress.sub(0.8, 1.0))

        def apply(result):
            self.show_proposal(*result)

        return self._run(self.pet_jobs, Job(work, name="registration"), apply,
                         self.tr("Registering PET to MR") if s.anat_label == "MR" else self.tr("Registering PET to CT"))

    def show_proposal(self, proposal, arrays) -> None:
        from workstation.ui.reader.registration_dialog import RegistrationDialog

        s = self.session
        preview = study_open.registration_preview(s, arrays)
        dlg = RegistrationDialog(proposal, preview, self)
        dlg.accepted_transform.connect(lambda t: self._accept_proposal(s, proposal, t, arrays))
        dlg.rejected_proposal.connect(lambda: self.message_label.setText(
            self.tr("Registration proposal rejected: alignment unchanged")))
        self.registration_dialog = dlg
        self.message_label.setText(self.tr("Registration proposal: accept or reject"))
        if self.isVisible():
            dlg.show()

    def _accept_proposal(self, s: ReadingSession, proposal, t, arrays) -> None:
        if s is not self.session:
            return
        note = (f"registered (MI {proposal.metric_before:.3f}→{proposal.metric_after:.3f}, "
                f"moved {proposal.move_mm:.1f} mm / {proposal.rotation_deg:.1f}°)")
        s.set_pet_transform(t, note, arrays=arrays if np.allclose(t, arrays["transform"]) else None)
        self._keep_registration(s, study_open.METHOD_MI, proposal.metric_after)

    def reset_alignment(self) -> Job | None:
        """Back to the scanners' alignment (identity); kept as a new version so that it can be undone."""
        s = self.session
        if s is None or s.pet is None:
            return None
        job = Job(lambda progress: s.compute_pet_arrays(np.eye(4), progress), name="reset alignment")

        def apply(arrays):
            s.set_pet_transform(np.eye(4), "scanner alignment", arrays=arrays)
            if self.db is not None and study_open.pair_uids(s.pet, s.anatomical) is not None:
                self.db.reset_registration(*study_open.pair_uids(s.pet, s.anatomical))

        return self._run(self.pet_jobs, job, apply, self.tr("Scanner alignment"))

    def undo_registration(self) -> Job | None:
        """Drop the newest stored alignment of the pair and show the previous one (or the scanners')."""
        s = self.session
        uids = study_open.pair_uids(s.pet, s.anatomical) if s is not None else None
        if s is None or s.pet is None or self.db is None or uids is None:
            return None
        row = self.db.undo_registration(*uids)
        t = np.eye(4) if row is None else row.matrix
        note = "scanner alignment" if row is None else f"stored {row.method} of {row.created} (version {row.version})"
        job = Job(lambda progress: s.compute_pet_arrays(t, progress), name="undo alignment")
        return self._run(self.pet_jobs, job, lambda arrays: s.set_pet_transform(t, note, arrays=arrays),
                         self.tr("Undo alignment"))
