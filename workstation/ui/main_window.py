"""The main window: study browser, hanging protocol of linked views, tools and readout.

Concept
-------
Two pages: the study browser and the reading page. The reading page lays out ``ViewWidget``s
from a layout of ``analysis.fusion.LAYOUTS`` (the 3x3 CT/PET/fused grid with the MIP, or a large
fused view beside the MIP); all views share one ``ReadingSession``, so the crosshair, windows and
colour map are linked by construction. Tool bar: layout, CT and PET window presets, colour map,
PET opacity, MIP cine, anonymise, registration and nudge. The status bar shows the live cursor
readout (world LPS mm, HU, SUV with its type) and the progress of background work (loading,
registration, resampling) with a cancel button. The SUV panel is a dock.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
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

from workstation.analysis import fusion
from workstation.analysis.fusion import COLORMAPS, CT_PRESETS, LAYOUTS, PET_PRESETS, ReadingSession

from .browser import StudyBrowser
from .suv_panel import SuvPanel
from .voi_panel import VoiPanel
from .view_widget import ViewWidget
from .workers import Job, JobSlot


class MainWindow(QMainWindow):
    def __init__(self, db=None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("PET/CT workstation")
        self.resize(1500, 950)
        self.db = db
        self.session: ReadingSession | None = None
        self.views: dict[str, ViewWidget] = {}
        self.load_jobs, self.pet_jobs, self.mip_jobs = JobSlot(), JobSlot(), JobSlot()
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
        self._build_statusbar()
        self.suv_panel = SuvPanel()
        dock = QDockWidget("SUV", self)
        dock.setObjectName("suv-dock")
        dock.setWidget(self.suv_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        dock.hide()
        self.suv_dock = dock
        self.voi_panel = VoiPanel()  # VOI tools, lesion table, CSV export (dock, toggled by "VOIs…")
        self.voi_dock = QDockWidget("VOIs", self)
        self.voi_dock.setObjectName("voi-dock")
        self.voi_dock.setWidget(self.voi_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.voi_dock)
        self.voi_dock.hide()
        self.cine = QTimer(self)
        self.cine.setInterval(120)
        self.cine.timeout.connect(self._cine_step)
        self._set_tools_enabled(False)

    # ------------------------------------------------------------ building
    def _combo(self, items, slot, name) -> QComboBox:
        box = QComboBox()
        box.setObjectName(name)
        box.addItems(list(items))
        box.activated.connect(lambda _i, b=box: slot(b.currentText()))
        return box

    def _build_toolbar(self) -> None:
        tb = QToolBar("Reading")
        tb.setObjectName("reading-toolbar")
        self.addToolBar(tb)
        self.browser_button = QPushButton("Studies")
        self.browser_button.clicked.connect(lambda: self.pages.setCurrentWidget(self.browser))
        tb.addWidget(self.browser_button)
        tb.addSeparator()
        self.layout_box = self._combo(LAYOUTS, self.set_layout, "layout")
        self.ct_preset_box = self._combo(CT_PRESETS, lambda n: self.session.set_ct_preset(n), "ct-preset")
        self.pet_preset_box = self._combo(list(PET_PRESETS) + ["custom"], self._pet_preset, "pet-preset")
        self.cmap_box = self._combo(COLORMAPS, lambda n: self.session.set_colormap(n), "colormap")
        for label, w in (("Layout", self.layout_box), ("CT", self.ct_preset_box), ("PET", self.pet_preset_box),
                         ("Colours", self.cmap_box)):
            tb.addWidget(QLabel(f" {label} "))
            tb.addWidget(w)
        tb.addWidget(QLabel(" Opacity "))
        self.opacity_slider = QSlider(Qt.Orientation.Horizontal)
        self.opacity_slider.setRange(0, 100)
        self.opacity_slider.setValue(50)
        self.opacity_slider.setFixedWidth(110)
        self.opacity_slider.valueChanged.connect(lambda v: self.session and self.session.set_opacity(v / 100.0))
        tb.addWidget(self.opacity_slider)
        tb.addSeparator()
        self.cine_button = QPushButton("Play MIP")
        self.cine_button.setCheckable(True)
        self.cine_button.toggled.connect(self.set_cine)
        tb.addWidget(self.cine_button)
        self.anon_check = QCheckBox("Anonymise")
        self.anon_check.toggled.connect(self.set_anonymise)
        tb.addWidget(self.anon_check)
        tb.addSeparator()
        self.register_button = QPushButton("Register PET→CT")
        self.register_button.clicked.connect(self.start_registration)
        tb.addWidget(self.register_button)
        self.nudge_buttons = {}
        for text, d in (("◀", (-2, 0, 0)), ("▶", (2, 0, 0)), ("▲", (0, 0, 2)), ("▼", (0, 0, -2)),
                         ("A", (0, -2, 0)), ("P", (0, 2, 0))):
            b = QPushButton(text)
            b.setToolTip(f"move the PET {d} mm (x=patient left, y=posterior, z=head)")
            b.setFixedWidth(28)
            b.clicked.connect(lambda _c=False, d=d: self.nudge(*d))
            tb.addWidget(b)
            self.nudge_buttons[d] = b
        self.suv_button = QPushButton("SUV…")
        self.suv_button.clicked.connect(lambda: self.suv_dock.setVisible(not self.suv_dock.isVisible()))
        tb.addWidget(self.suv_button)
        self.voi_button = QPushButton("VOIs…")
        self.voi_button.clicked.connect(lambda: self.voi_dock.setVisible(not self.voi_dock.isVisible()))
        tb.addWidget(self.voi_button)
        self.recon_button = QPushButton("Reconstruct…")  # raw data -> PET in this study (recon_panel)
        self.recon_button.clicked.connect(self.show_recon_panel)
        tb.addWidget(self.recon_button)

    def _build_statusbar(self) -> None:
        sb = self.statusBar()
        self.readout_label = QLabel("")
        self.readout_label.setObjectName("readout")
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setFixedWidth(220)
        self.progress_bar.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self.cancel_work)
        self.message_label = QLabel("")
        sb.addWidget(self.readout_label, 1)
        sb.addPermanentWidget(self.message_label)
        sb.addPermanentWidget(self.progress_bar)
        sb.addPermanentWidget(self.cancel_button)

    def _set_tools_enabled(self, on: bool) -> None:
        for w in (self.layout_box, self.ct_preset_box, self.pet_preset_box, self.cmap_box, self.opacity_slider,
                  self.cine_button, self.register_button, self.suv_button, *self.nudge_buttons.values()):
            w.setEnabled(on)

    # ------------------------------------------------------------ background work
    def _run(self, slot: JobSlot, job: Job, on_success, label: str) -> Job:
        job.progressed.connect(lambda f, m: self._show_progress(f, m or label))
        job.cancelled.connect(lambda: self.message_label.setText(f"{label}: cancelled"))
        job.done.connect(self._work_done)
        self.progress_bar.setValue(0)
        self.progress_bar.show()
        self.cancel_button.show()
        self.message_label.setText(label)

        def succeeded(result):
            self.message_label.setText(f"{label}: done")  # first: messages set by on_success (e.g. "frames of
            on_success(result)  # reference differ") win

        return slot.start(job, on_result=succeeded, on_error=lambda msg: self._error(label, msg))

    def _show_progress(self, frac: float, msg: str) -> None:
        self.progress_bar.setValue(int(frac * 1000))
        self.progress_bar.setFormat(f"{msg} %p%")

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

    def busy(self) -> bool:
        return any(s.job is not None and s.job.is_running() for s in (self.load_jobs, self.pet_jobs, self.mip_jobs))

    # ------------------------------------------------------------ loading
    def load_folder(self, path: str, pet_uid: str | None = None, anat_uid: str | None = None) -> Job:
        """Read the PET and CT/MR found below a folder (the given series, or the usual pair), off the UI thread."""
        return self._run(self.load_jobs, Job(fusion.open_folder, str(path), pet_uid, anat_uid, db=self.db, name="load"),
                         self.set_session, "Loading study")

    def load_study(self, study_uid: str, pet_uid: str | None = None, anat_uid: str | None = None) -> Job:
        """Read a study of the database (the chosen PET over the chosen CT/MR; None: the usual pair)."""
        return self._run(self.load_jobs, Job(fusion.open_study, self.db, study_uid, pet_uid, anat_uid, name="load"),
                         self.set_session, "Loading study")

    def set_session(self, session: ReadingSession) -> None:
        if self.session is not None:
            self.session.events.disconnect("*", self._on_session_event)
        for v in self.views.values():
            v.detach()
            v.setParent(None)
            v.deleteLater()
        self.views.clear()
        self.session = session
        session.set_anonymise(self.anon_check.isChecked())
        session.events.connect("*", self._on_session_event)
        self.suv_panel.set_session(session)
        self.voi_panel.set_session(session)
        self._set_tools_enabled(True)
        self.register_button.setEnabled(session.pet is not None and session.anatomical is not None)
        self.set_layout(session.layout)
        self.pages.setCurrentWidget(self.reading)
        self._update_readout()
        self._sync_controls()
        if session.registration_stored is not None:
            self.message_label.setText(f"PET aligned with the {session.registration_note}")
        elif session.pet is not None and fusion.needs_registration(session.pet, session.anatomical):
            self.message_label.setText("PET and CT frames of reference differ: use 'Register PET→CT' or nudge")
            self._offer_registration()
        if session.pet is not None:
            self.mip_jobs.start(Job(session.precompute_mip, name="mip"))

    def _sync_controls(self) -> None:
        s = self.session
        self.layout_box.setCurrentText(s.layout)
        self.cmap_box.setCurrentText(s.colormap)
        self.opacity_slider.blockSignals(True)
        self.opacity_slider.setValue(int(round(s.opacity * 100)))
        self.opacity_slider.blockSignals(False)
        ct = next((n for n, v in CT_PRESETS.items() if v == s.ct_window), None)
        if ct:
            self.ct_preset_box.setCurrentText(ct)
        pet = next((n for n, v in PET_PRESETS.items() if v == s.pet_window), "custom")
        self.pet_preset_box.setCurrentText(pet)

    def _on_session_event(self, event: str, **kw) -> None:
        if event in ("crosshair", "pet"):
            self._update_readout()
        if event in ("ct_window", "pet_window", "colormap", "opacity", "layout"):
            self._sync_controls()

    def _update_readout(self) -> None:
        s = self.session
        if s is None:
            return
        text = s.readout_text()
        if s.registration_note:
            text += f"   [PET: {s.registration_note}]"
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
            self.grid.addWidget(v, cell.row, cell.col, cell.rowspan, cell.colspan)
            v.show()
        self.layout_box.setCurrentText(name)
        self.voi_panel.attach_views(self.views)

    def visible_views(self) -> dict[str, ViewWidget]:
        return {k: v for k, v in self.views.items() if v.isVisible()}

    def _pet_preset(self, name: str) -> None:
        if name in PET_PRESETS:
            self.session.set_pet_preset(name)

    def set_anonymise(self, on: bool) -> None:
        self.browser.set_anonymise(on)
        if self.session is not None:
            self.session.set_anonymise(on)

    def set_cine(self, on: bool) -> None:
        if on:
            self.cine.start()
        else:
            self.cine.stop()
        self.cine_button.setText("Pause MIP" if on else "Play MIP")

    def _cine_step(self) -> None:
        if self.session is not None:
            self.session.set_mip_angle_index(self.session.mip_angle_index + 1)

    def show_recon_panel(self):
        from .recon_panel import attach_to

        return attach_to(self)

    # ------------------------------------------------------------ registration
    def _offer_registration(self) -> QMessageBox:
        """Frames of reference differ: offer the automatic registration or the manual nudge (non-blocking)."""
        box = QMessageBox(QMessageBox.Icon.Question, "Registration",
                          "The PET and the CT/MR do not share a frame of reference.\n"
                          "Register them automatically now, or align them by hand with the nudge buttons?",
                          QMessageBox.StandardButton.NoButton, self)
        register = box.addButton("Register now", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Nudge by hand", QMessageBox.ButtonRole.RejectRole)
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
            fusion.save_registration(self.db, s, method, metric)
        except Exception as exc:  # the display keeps the transform; say that it was not stored
            self._error("Keeping the registration", f"{type(exc).__name__}: {exc}")

    def nudge(self, dx=0.0, dy=0.0, dz=0.0) -> Job | None:
        s = self.session
        if s is None or s.pet is None:
            return None
        t = s.nudged_transform(dx, dy, dz)
        job = Job(lambda progress: s.compute_pet_arrays(t, progress), name="nudge")

        def apply(arrays):
            s.set_pet_transform(t, fusion.METHOD_NUDGE, arrays=arrays)
            self._keep_registration(s, fusion.METHOD_NUDGE)

        return self._run(self.pet_jobs, job, apply, "Moving PET")

    def start_registration(self) -> Job | None:
        from workstation.analysis.registration import register_rigid

        s = self.session
        if s is None or s.pet is None or s.anatomical is None:
            return None

        def work(progress):
            reg = register_rigid(s.anatomical, s.pet, progress=progress.sub(0.0, 0.8))
            return reg, s.compute_pet_arrays(reg.pet_from_anat, progress.sub(0.8, 1.0))

        def apply(result):
            reg, arrays = result
            s.set_pet_transform(reg.pet_from_anat, reg.summary(), arrays=arrays)
            self._keep_registration(s, fusion.METHOD_MI, reg.metric)

        return self._run(self.pet_jobs, Job(work, name="registration"), apply, "Registering PET to CT")
