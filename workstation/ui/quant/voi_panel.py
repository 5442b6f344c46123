"""VOI tools of the reading window: draw, segment, edit and measure VOIs; the lesion table; CSV export.

Concept
-------
The panel binds an ``analysis.voi.VoiModel`` (the VOIs, on the native PET grid, with their
statistics) to the views of the main window and to its own widgets:

* **Tools** (one at a time; *Navigate* leaves the mouse to the views): *Sphere* (click = centre with
  the radius of the spin box, or drag out the radius), *Box* (drag two corners in a plane; its depth
  along the plane's normal is the smaller in-plane side), *Segment* (click a lesion: it is grown
  with the chosen method), *Liver ref* (3 cm sphere) and *Blood pool* (1 × 2 cm cylinder). The
  panel is an event filter on every slice view: with a tool chosen, the left button is its own and
  the view does not move the crosshair. A click is mapped to the display world point, then into
  the PET frame through the session's ``pet_from_anat`` (the same mapping the PET image uses).
* **Segmentation runs off the UI thread** (``workers.Job`` in a ``JobSlot``: the newest request
  wins). The threshold slider re-segments the selected lesion on every move (live preview): a
  superseded job is cancelled, and a stale result that arrives anyway (out of order) is dropped by
  the slot and counted in ``dropped``.
* **Edit / delete**: the radius spin box edits the selected sphere (or liver VOI), the slider the
  selected lesion's threshold (fixed SUV or % of SUVmax; PERCIST and A50 set their own).
* **Lesion table** (``lesion_table``): sortable; clicking a row selects the VOI and moves the
  crosshair to it. **Whole body** detection (button) fills it with the chosen method. **Export
  CSV** asks for a file and asks again before overwriting one.
* **Outlines** are drawn in every view by ``render.overlays.VoiOutlines`` hooks added to the views'
  cell renderers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from workstation.analysis.lesions import voi as V
from workstation.analysis.errors import QuantError
from workstation.core.vocabulary import DEFAULT_CONSTRAINT_MM, DEFAULT_EXCLUDE
from workstation.analysis.lesions.segmentation import SegmentationLeak
from workstation.core import vocabulary as vocab
from workstation.io.table_csv import write_table_csv
from workstation.render.overlays import VoiOutlines

from workstation.ui.quant.constraint_tool import ConstraintTool
from workstation.ui.quant.lesion_table import LesionTable
from workstation.ui.quant.structures_list import StructuresList
from workstation.ui.quant.voi_style import METHOD_CHOICES, method_from_choice, voi_colour
from workstation.ui.workers import Job, JobSlot

ORGAN_WORDS = (QT_TRANSLATE_NOOP("organs", "brain"), QT_TRANSLATE_NOOP("organs", "bladder"))
TOOLS = (("navigate", QT_TRANSLATE_NOOP("VoiPanel", "Navigate")), ("sphere", QT_TRANSLATE_NOOP("VoiPanel", "Sphere")),
         ("box", QT_TRANSLATE_NOOP("VoiPanel", "Box")), ("segment", QT_TRANSLATE_NOOP("VoiPanel", "Segment")),
         ("liver", QT_TRANSLATE_NOOP("VoiPanel", "Liver ref")), ("blood_pool", QT_TRANSLATE_NOOP("VoiPanel", "Blood pool")))
DEFAULT_RADIUS_MM = 10.0
FIXED_SCALE = 10  # slider units per SUV for fixed thresholds


def suv_image(session) -> np.ndarray:
    """The session's PET in SUV when known (else in file units) on the PET's own grid, float32: the VOI
    statistics and thresholds stay in SUV whatever unit the views show."""
    res = session.suv.result
    if res is not None:  # the one SUV road (the session checked the slice factors when it set the SUV)
        from workstation.analysis.suv.apply import suv_array

        return suv_array(session.pet, res)
    return np.asarray(session.pet.array, np.float32)  # file units (or SUV stored as GML): the factor is 1


class VoiPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.session = None
        self.model: V.VoiModel | None = None
        self.views: list = []  # (view widget, outline hook)
        self.seg_jobs, self.wb_jobs = JobSlot(self), JobSlot(self)
        self.segment_fn = V.segment_lesion  # replaceable (tests simulate slow / out-of-order work)
        self.tool = "navigate"
        self._press = None
        self._suv_key = None
        self._tracer_caveat = ""  # whole-body detection on a tracer other than FDG: said with its result
        self._build()
        self.constraint_tool = ConstraintTool(self)  # the constraint sphere drawn and edited in the views
        self._sync_edit_widgets()

    # ------------------------------------------------------------ widgets
    def _build(self) -> None:
        self.tool_group = QButtonGroup(self)
        self.tool_group.setExclusive(True)
        self.tool_buttons = {}
        grid = QGridLayout()
        for n, (key, text) in enumerate(TOOLS):
            b = QPushButton(self.tr(text))
            b.setCheckable(True)
            b.setObjectName(f"voi-tool-{key}")
            b.clicked.connect(lambda _c=False, k=key: self.set_tool(k))
            self.tool_group.addButton(b)
            self.tool_buttons[key] = b
            grid.addWidget(b, n // 3, n % 3)
        self.tool_buttons["navigate"].setChecked(True)
        self.method_box = QComboBox()
        self.method_box.setObjectName("voi-method")
        for label, _t in METHOD_CHOICES:  # shown translated; the English label is the choice's identity
            self.method_box.addItem(QCoreApplication.translate("methods", label), label)
        self._choose_method("41 % of SUVmax")
        self.method_box.currentTextChanged.connect(lambda _t: self._sync_edit_widgets())
        self.user_value = QDoubleSpinBox()
        self.user_value.setRange(0.1, 99.0)
        self.user_value.setDecimals(1)
        self.user_value.setValue(3.0)
        self.user_value.setToolTip(self.tr("SUV for 'fixed SUV (user)', percent for '% of SUVmax (user)'"))
        self.user_value.valueChanged.connect(lambda _v: self._sync_edit_widgets())
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("voi-threshold")
        self.slider.valueChanged.connect(self._slider_changed)
        self.slider_label = QLabel("")
        self.radius = QDoubleSpinBox()
        self.radius.setRange(1.0, 200.0)
        self.radius.setDecimals(1)
        self.radius.setSuffix(" mm")
        self.radius.setValue(DEFAULT_RADIUS_MM)
        self.radius.valueChanged.connect(self._radius_changed)
        self.min_volume = QDoubleSpinBox()
        self.min_volume.setRange(0.0, 1000.0)
        self.min_volume.setValue(0.5)
        self.min_volume.setSuffix(" mL")
        self.exclude = QCheckBox(self.tr("exclude brain and bladder"))
        self.exclude.setToolTip(self.tr("whole body: leave out the organs found by the brain/bladder rules (the default)"))
        self.exclude.setChecked(bool(DEFAULT_EXCLUDE))
        self.constraint = QDoubleSpinBox()
        self.constraint.setObjectName("voi-constraint")
        self.constraint.setRange(5.0, 300.0)
        self.constraint.setDecimals(0)
        self.constraint.setSuffix(" mm")
        self.constraint.setValue(DEFAULT_CONSTRAINT_MM)
        self.constraint.setToolTip(self.tr("a clicked lesion grows only inside a sphere of this radius around the click; "
                                           "reaching it stops the segmentation with a warning"))
        self.last_leak = None  # the SegmentationLeak of the newest click (region to outline), if any
        self.delete_button = QPushButton(self.tr("Delete VOI"))
        self.delete_button.clicked.connect(self.delete_selected)
        self.wb_button = QPushButton(self.tr("Whole body"))
        self.wb_button.setToolTip(self.tr("detect every lesion with the chosen method"))
        self.wb_button.clicked.connect(self.detect_whole_body)
        self.export_button = QPushButton(self.tr("Export CSV…"))
        self.export_button.clicked.connect(lambda: self.export_csv())
        self.structures_button = QPushButton(self.tr("Structures…"))
        self.structures_button.setToolTip(self.tr("load the structures of a DICOM SEG or RTSTRUCT file as VOIs"))
        self.structures_button.clicked.connect(lambda: self.load_structures())
        self.references = QLabel("")
        self.references.setWordWrap(True)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        # shown when a clicked lesion reached its constraint: one click re-runs it in the next larger sphere
        self.enlarge_button = QPushButton(self.tr("Enlarge constraint"))
        self.enlarge_button.setObjectName("voi-enlarge")
        self.enlarge_button.clicked.connect(lambda: self.enlarge_constraint())
        self.reset_constraint_button = QPushButton(self.tr("Reset constraint"))
        self.reset_constraint_button.setObjectName("voi-reset-constraint")
        self.reset_constraint_button.setToolTip(self.tr("back to the default constraint radius"))
        self.reset_constraint_button.clicked.connect(lambda: self.reset_constraint())
        self._last_request = None  # (pet_world, method, target_id, centre_pet) of the newest segmentation
        self.constraint.valueChanged.connect(lambda _v: self.reset_constraint_button.setVisible(
            not self.enlarge_button.isHidden() or self.constraint.value() != DEFAULT_CONSTRAINT_MM))
        self.table = LesionTable()
        self.table.voi_activated.connect(self.activate)
        self.delete_shortcut = QShortcut(QKeySequence.StandardKey.Delete, self.table)
        self.delete_shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.delete_shortcut.activated.connect(self.delete_selected)

        form = QFormLayout()
        form.addRow(self.tr("Method"), self.method_box)
        form.addRow(self.tr("User value"), self.user_value)
        row = QHBoxLayout()
        row.addWidget(self.slider, 1)
        row.addWidget(self.slider_label)
        form.addRow(self.tr("Threshold"), row)
        form.addRow(self.tr("Sphere radius"), self.radius)
        form.addRow(self.tr("Constraint radius"), self.constraint)
        form.addRow(self.tr("Min. volume"), self.min_volume)
        buttons = QHBoxLayout()
        for b in (self.delete_button, self.wb_button, self.structures_button, self.export_button):
            buttons.addWidget(b)
        lay = QVBoxLayout(self)
        lay.addLayout(grid)
        lay.addLayout(form)
        lay.addWidget(self.exclude)
        lay.addLayout(buttons)
        lay.addWidget(self.references)
        lay.addWidget(self.message)
        leak_row = QHBoxLayout()
        leak_row.addWidget(self.enlarge_button)
        leak_row.addWidget(self.reset_constraint_button)
        leak_row.addStretch(1)
        lay.addLayout(leak_row)
        self._show_leak_actions(False)
        self.structures = StructuresList(self)  # the study's RTSTRUCT/SEG structures, listed when it opens
        lay.addWidget(self.structures)
        lay.addWidget(self.table, 1)

    def _choose_method(self, label: str) -> None:
        self.method_box.setCurrentIndex(max(0, self.method_box.findData(label)))

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    @property
    def dropped(self) -> int:
        """Results of superseded segmentation / detection jobs that arrived late and were not applied."""
        return self.seg_jobs.dropped + self.wb_jobs.dropped

    # ------------------------------------------------------------ session and views
    def set_session(self, session) -> None:
        """Use a new reading session: a fresh VOI model on its PET (none without PET)."""
        if self.session is not None:
            self.session.events.disconnect("pet", self._on_pet)
        self.seg_jobs.cancel()
        self.wb_jobs.cancel()
        self.session = session
        self.model = None
        self._tracer_caveat = ""
        if session is not None and session.pet is not None:
            from workstation.analysis.lesions.findings import whole_body_tracer_warning

            self._tracer_caveat = whole_body_tracer_warning(session.pet)
            self.model = V.VoiModel(suv_image(session), session.pet.geometry, session.suv_units)
            self._set_activity_scale(session)
            self._suv_key = (session.suv.factor, session.suv.suv_type)
            self.model.events.connect("*", self._on_voi_event)
            session.events.connect("pet", self._on_pet)
        self.table.set_model(self.model)
        self.constraint_tool.set_geometry(None if self.model is None else self.model.geometry)
        for _view, hook in self.views:
            hook.source = self.model
        self.setEnabled(self.model is not None)
        self._sync_edit_widgets()
        self._update_references()

    def attach_views(self, views) -> None:
        """Hook outlines and the tools into view widgets (``dict`` key -> ViewWidget); idempotent."""
        views = list(views.values()) if isinstance(views, dict) else list(views)
        self.views = [(v, o) for v, o in self.views if v in views]
        known = {id(v) for v, _ in self.views}
        for v in views:
            if id(v) in known:
                continue
            hook = VoiOutlines(v.cell, self.model, colour_of=voi_colour)
            v.cell.overlays.append(hook)
            self.constraint_tool.attach(v)
            v.installEventFilter(self)
            self.views.append((v, hook))
        for v, hook in self.views:
            hook.source = self.model

    def _redraw_views(self) -> None:
        for v, _ in self.views:
            v.redraw()

    def _set_activity_scale(self, s) -> None:
        """The lesion table's activity column (MBq per VOI): Bq/mL per VOI unit for an image in Bq/mL; shown by
        default for a SPECT (a therapy scan is read in activity, not TLG)."""
        bq = (s.pet.units or "").upper() == "BQML"
        scale = (1.0 / s.suv.factor if s.suv.factor else 1.0) if bq else None
        self.table.source_model.bqml_per_unit = scale
        spect = s.functional_label == "SPECT"
        self.table.setColumnHidden(self.table.column_of("activity_mbq"), not (spect and scale is not None))
        self.table.setColumnHidden(self.table.column_of("tlg"), spect)

    def _on_pet(self, event, **kw) -> None:
        s = self.session
        key = (s.suv.factor, s.suv.suv_type)
        if self.model is not None and key != self._suv_key:
            self._suv_key = key
            self._set_activity_scale(s)
            self.model.set_suv(suv_image(s), s.suv_units)

    def _on_voi_event(self, event, **kw) -> None:
        if event == "selected":
            self.table.select_id(kw.get("voi_id"))
            self._sync_edit_widgets()
        elif event in ("added", "removed", "changed", "suv"):
            self._update_references()
            if self.model is not None:
                self.table.select_id(self.model.selected)
        self._redraw_views()

    def _update_references(self) -> None:
        self.references.setText("" if self.model is None else self.model.summary())

    # ------------------------------------------------------------ coordinates
    def to_pet(self, display_world) -> np.ndarray:
        t = self.session.pet_from_anat
        return t[:3, :3] @ np.asarray(display_world, float) + t[:3, 3]

    def to_display(self, pet_world) -> np.ndarray:
        inv = np.linalg.inv(self.session.pet_from_anat)
        return inv[:3, :3] @ np.asarray(pet_world, float) + inv[:3, 3]

    # ------------------------------------------------------------ tools
    def set_tool(self, name: str) -> None:
        if name not in dict(TOOLS):
            raise KeyError(f"unknown VOI tool {name!r}; choose one of {', '.join(dict(TOOLS))}")
        self.tool = name
        self.tool_buttons[name].setChecked(True)
        self._press = None
        self._redraw_views()  # the constraint sphere is drawn while the Segment tool is chosen
        for view, _hook in self.views:
            if name == "navigate":
                view.unsetCursor()
            else:
                view.setCursor(Qt.CursorShape.CrossCursor)

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        if self.tool == "navigate" or self.model is None or getattr(obj, "kind", "mip") == "mip":
            return False
        t = ev.type()
        if t not in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.MouseButtonRelease):
            return False
        ct = self.constraint_tool
        if t == QEvent.Type.MouseMove:
            if ct.dragging:
                return ct.move(obj, ev.position().x(), ev.position().y())
            return self._press is not None
        if ev.button() != Qt.MouseButton.LeftButton or ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            return False
        if self.tool == "segment":  # the constraint sphere: drag its rim to resize it, its centre to move it
            if t == QEvent.Type.MouseButtonPress and ct.press(obj, ev.position().x(), ev.position().y()):
                return True
            if t == QEvent.Type.MouseButtonRelease and ct.dragging:
                return ct.release(obj, ev.position().x(), ev.position().y())
        obj.cell.set_size(obj.width(), obj.height())
        col, row = obj.cell.display_to_image(ev.position().x(), ev.position().y())
        world = obj.session.pixel_to_world(obj.plane, col, row)
        if t == QEvent.Type.MouseButtonPress:
            self._press = (obj.plane, world)
            if self.tool == "segment":
                self.segment_at(world)
            elif self.tool == "liver":
                self.set_reference_at("liver", world)
            elif self.tool == "blood_pool":
                self.set_reference_at("blood_pool", world)
            return True
        press, self._press = self._press, None
        if press is None:
            return True
        plane, start = press
        if self.tool == "sphere":
            r = float(np.linalg.norm(world - start))
            self.add_sphere_at(start, r if r > 2.0 else None)
        elif self.tool == "box":
            self.add_box_at(plane, start, world)
        return True

    def _guard(self, fn, *args):
        try:
            return fn(*args)
        except (V.VoiError, QuantError) as exc:
            self.show_message(str(exc))
            return None

    def add_sphere_at(self, display_world, radius_mm: float | None = None):
        r = float(self.radius.value() if radius_mm is None else radius_mm)
        v = self._guard(self.model.add_sphere, self.to_pet(display_world), r)
        if v is not None:
            self.model.select(v.id)
            self.show_message(self.tr("sphere VOI {}: radius {:.1f} mm").format(v.id, r))
        return v

    def add_box_at(self, plane: str, a_display, b_display):
        from workstation.core.display import PLANE_SPECS

        a, b = np.asarray(a_display, float).copy(), np.asarray(b_display, float).copy()
        spec = PLANE_SPECS[plane]
        depth = min(abs(b[spec.u] - a[spec.u]), abs(b[spec.v] - a[spec.v]))
        centre = a[spec.normal]
        a[spec.normal], b[spec.normal] = centre - depth / 2.0, centre + depth / 2.0
        v = self._guard(self.model.add_box, self.to_pet(a), self.to_pet(b))
        if v is not None:
            self.model.select(v.id)
        return v

    def set_reference_at(self, kind: str, display_world):
        fn = self.model.set_liver_reference if kind == "liver" else self.model.set_blood_pool_reference
        v = self._guard(fn, self.to_pet(display_world))
        if v is not None:
            self.show_message(self.tr("{}: mean {:.2f} SD {:.2f} {}").format(v.name, v.stats.mean, v.stats.std, self.model.units))
        return v

    # ------------------------------------------------------------ segmentation (off the UI thread)
    def current_method(self) -> str:
        return method_from_choice(self.method_box.currentData(), self.user_value.value())

    def segment_at(self, display_world, method: str | None = None, target_id: int | None = None) -> Job | None:
        """Segment the lesion at a display world point (PET frame: through ``pet_from_anat``)."""
        return self.segment_pet(self.to_pet(display_world), method, target_id)

    def segment_pet(self, pet_world, method: str | None = None, target_id: int | None = None,
                    centre_pet=None) -> Job | None:
        """Segment from a PET-frame seed inside the constraint sphere (around the seed, or ``centre_pet``)."""
        if self.model is None:
            return None
        try:
            method = method or self.current_method()
        except V.VoiError as exc:
            self.show_message(str(exc))
            return None
        kw = self.model.liver_kwargs() if vocab.parse_method(method).name == "percist" else {}
        seed = np.asarray(pet_world, float)
        ct = self.constraint_tool
        if centre_pet is None and target_id is not None and target_id == ct.target_id and ct.centre_pet is not None:
            centre_pet = ct.centre_pet  # re-segmenting the sphere's lesion (threshold slider): keep its sphere
        centre = seed if centre_pet is None else np.asarray(centre_pet, float)
        self.constraint_tool.started(seed, target_id, centre)
        kw["constraint"] = self.constraint_tool.constraint(seed)
        self._last_request = (tuple(float(x) for x in pet_world), method, target_id,
                              None if centre_pet is None else tuple(float(x) for x in centre_pet))
        self._show_leak_actions(False)
        self._redraw_views()
        job = Job(self._seg_work, target_id, self.segment_fn, self.model.suv, self.model.geometry,
                  tuple(float(x) for x in pet_world), method, kw, name="segment")
        self.show_message(self.tr("segmenting ({})…").format(method))
        return self.seg_jobs.start(job, on_result=self.apply_segmentation, on_error=self.show_message)

    @staticmethod
    def _seg_work(target_id, fn, suv, geometry, seed, method, kw, progress=None):
        try:
            return target_id, fn(suv, geometry, seed, method, progress=progress, **kw), None
        except SegmentationLeak as exc:  # keep the region and the constraint, to outline what happened
            return target_id, None, exc
        except (V.VoiError, QuantError) as exc:
            return target_id, None, str(exc)

    def apply_segmentation(self, payload) -> None:
        """Apply the result ``(target_id, segmentation, error)`` of the current segmentation job."""
        target_id, seg, error = payload
        self.last_leak = error if isinstance(error, SegmentationLeak) else None
        self.constraint_tool.finished(None, self.last_leak)
        if error:
            self.show_message(self.tr("⚠ nothing measured: {}").format(error) if self.last_leak is not None
                              else str(error))
            self._show_leak_actions(self.last_leak is not None and self.last_leak.kind == "constraint")
            if not self.enlarge_button.isHidden():
                nxt = self.next_constraint_mm()
                self.enlarge_button.setEnabled(nxt is not None)
                self.enlarge_button.setText(self.tr("Enlarge constraint to {:g} mm").format(nxt) if nxt is not None
                                            else self.tr("Enlarge constraint"))
            if self.last_leak is not None:  # the region that leaked is outlined in the views
                from workstation.ui.quant.voi_style import COLOUR_NAMES

                name = QCoreApplication.translate("colours", COLOUR_NAMES[self.constraint_tool.leak_rgb()])
                self.show_message(self.message.text() + "\n" + self.tr(
                    "The region that grew is outlined in {} (a colour no structure on screen uses); drag the "
                    "amber circle's rim to resize the constraint, or its centre to move it.").format(name))
            self._redraw_views()
            return
        m = self.model
        if target_id is not None and target_id in m.vois:
            v = m.update_segmentation(target_id, seg)
        else:
            v = m.add_segmentation(seg)
            m.select(v.id)
        self.constraint_tool.finished(v.id, None)
        self.show_message(self.tr("{}: {}, threshold {:.2f} {}, {:.2f} mL, SUVmax {:.2f}").format(
            v.name, seg.method, seg.threshold, m.units, v.stats.volume_ml, v.stats.max))

    # ------------------------------------------------------------ constraint: enlarge / reset
    def _show_leak_actions(self, show: bool) -> None:
        self.enlarge_button.setVisible(show)
        self.reset_constraint_button.setVisible(show or self.constraint.value() != DEFAULT_CONSTRAINT_MM)

    def next_constraint_mm(self) -> float | None:
        """The next radius of the product's constraint steps (``AUTO_CONSTRAINT_MM``) above the current one."""
        from workstation.analysis.lesions.segmentation import AUTO_CONSTRAINT_MM

        cur = float(self.constraint.value())
        larger = [r for r in AUTO_CONSTRAINT_MM if r > cur + 1e-6]
        return larger[0] if larger else None

    def enlarge_constraint(self) -> Job | None:
        """One click: the next constraint step, and the newest segmentation run again in it."""
        nxt = self.next_constraint_mm()
        if nxt is None or self._last_request is None:
            return None
        self.constraint.setValue(nxt)
        pet_world, method, target_id, centre = self._last_request
        return self.segment_pet(pet_world, method, target_id, centre_pet=centre)

    def reset_constraint(self) -> None:
        """Back to the default constraint radius (the next click grows in it)."""
        self.constraint.setValue(DEFAULT_CONSTRAINT_MM)
        self._show_leak_actions(False)
        self.show_message(self.tr("constraint reset to {:g} mm").format(DEFAULT_CONSTRAINT_MM))

    def detect_whole_body(self) -> Job | None:
        """Start the whole-body detection; while one runs, the button cancels it."""
        if self.model is None:
            return None
        if self.wb_jobs.is_running():
            self.wb_jobs.clear()  # nothing it still delivers is applied
            self.show_message(self.tr("whole body: cancelled"))
            return None
        try:
            method = self.current_method()
        except V.VoiError as exc:
            self.show_message(str(exc))
            return None
        kw = {"min_volume_ml": self.min_volume.value(),
              "exclude": DEFAULT_EXCLUDE if self.exclude.isChecked() else ()}
        if vocab.parse_method(method).name == "percist":
            kw.update(self.model.liver_kwargs())

        suv, geometry = self.model.suv, self.model.geometry

        def work(progress):
            try:
                return V.detect_lesions(suv, geometry, method, progress=progress, **kw), None
            except (V.VoiError, QuantError) as exc:
                return None, str(exc)

        job = Job(work, name="whole-body")
        job.progressed.connect(self._whole_body_progress)
        job.done.connect(self._whole_body_finished)
        self.show_message(self.tr("whole-body detection ({})…").format(method))
        self.wb_button.setText(self.tr("Cancel"))
        return self.wb_jobs.start(job, on_result=self._whole_body_done, on_error=self.show_message)

    def _whole_body_finished(self) -> None:
        if not self.wb_jobs.is_running():
            self.wb_button.setText(self.tr("Whole body"))

    def _whole_body_progress(self, fraction: float, msg: str) -> None:
        self.show_message(self.tr("whole body: {} {:.0f} %").format(msg, 100 * fraction))

    def _whole_body_done(self, payload) -> None:
        segs, error = payload
        if error:
            self.show_message(error)
            return
        vois = self.model.replace_whole_body(segs)
        rules = getattr(segs, "exclude_rules", ())
        removed = getattr(segs, "excluded", [])
        if removed:
            said = self.tr("; excluded {}").format(", ".join(
                f"{QCoreApplication.translate('organs', e['organ'])} ({e['volume_ml']:.0f} mL)" for e in removed))
        elif rules:
            said = self.tr("; looked for {}, none found").format(
                ", ".join(QCoreApplication.translate("organs", r) for r in rules))
        else:
            said = self.tr("; nothing excluded")
        warned = ([self._tracer_caveat] if self._tracer_caveat else []) + list(getattr(segs, "warnings", []) or [])
        if warned:  # an exclusion that does not look like its organ, a lesion under 3 voxels: said, in full
            said += self.tr("; warning: {}").format(" | ".join(warned))
        self.show_message(self.tr("whole body: {} lesions").format(len(vois)) + said)

    # ------------------------------------------------------------ editing
    def selected(self):
        m = self.model
        return None if m is None or m.selected is None else m.vois.get(m.selected)

    def _slider_mode(self) -> str | None:
        """'fixed' or 'pct' when the slider edits something, else None."""
        v = self.selected()
        if v is not None and v.kind == "lesion":
            name = vocab.parse_method(v.method).name
        else:
            name = vocab.parse_method(dict(METHOD_CHOICES)[self.method_box.currentData()].format(v=1)).name
        return name if name in ("fixed", "pct") else None

    def _sync_edit_widgets(self) -> None:
        """Put the selected VOI's radius / threshold into the spin box and slider (without editing)."""
        v = self.selected()
        mode = self._slider_mode()
        self.slider.blockSignals(True)
        self.radius.blockSignals(True)
        try:
            if mode == "fixed":
                self.slider.setRange(1, 30 * FIXED_SCALE)
                value = v.threshold if v is not None and v.kind == "lesion" else vocab.parse_method(
                    self.current_method()).value
                self.slider.setValue(int(round(value * FIXED_SCALE)))
            elif mode == "pct":
                self.slider.setRange(1, 99)
                value = vocab.parse_method(v.method if v is not None and v.kind == "lesion" else
                                           self.current_method()).value
                self.slider.setValue(int(round(value)))
            self.slider.setEnabled(mode is not None)
            if v is not None and v.kind in ("sphere", "liver"):
                self.radius.setValue(v.params["radius_mm"])
        finally:
            self.slider.blockSignals(False)
            self.radius.blockSignals(False)
        self._update_slider_label()
        self.delete_button.setEnabled(v is not None)

    def _update_slider_label(self) -> None:
        mode = self._slider_mode()
        value = self.slider.value()
        self.slider_label.setText(f"SUV {value / FIXED_SCALE:.1f}" if mode == "fixed" else
                                  f"{value} %" if mode == "pct" else self.tr("auto"))

    def slider_method(self) -> str | None:
        mode = self._slider_mode()
        if mode == "fixed":
            return vocab.method_string("fixed", self.slider.value() / FIXED_SCALE)
        if mode == "pct":
            return vocab.method_string("pct", self.slider.value())
        return None

    def _slider_changed(self, _value: int) -> None:
        self._update_slider_label()
        method = self.slider_method()
        v = self.selected()
        if method is None:
            return
        if v is not None and v.kind == "lesion":
            seed = v.params.get("seed_world") or v.stats.max_world
            self.segment_pet(seed, method, target_id=v.id)  # live preview: the newest request wins
        else:  # no lesion selected: the slider sets the user value of the method for the next click
            name, value = vocab.parse_method(method)
            self._choose_method("fixed SUV (user)" if name == "fixed" else "% of SUVmax (user)")
            self.user_value.setValue(value)

    def _radius_changed(self, value: float) -> None:
        v = self.selected()
        if v is not None and v.kind in ("sphere", "liver"):
            self._guard(self.model.set_radius, v.id, float(value))

    def delete_selected(self) -> None:
        v = self.selected()
        if v is not None:
            self.delete(v.id)

    def delete(self, voi_id: int) -> None:
        self.model.delete(voi_id)
        self._sync_edit_widgets()

    def activate(self, voi_id: int) -> None:
        """Select a VOI (table click) and move the crosshair to it."""
        self.model.select(voi_id)
        self.navigate_to(voi_id)

    def navigate_to(self, voi_id: int) -> None:
        v = self.model.get(voi_id)
        self.session.set_crosshair(self.to_display(v.centre_world(self.model.geometry)))

    # ------------------------------------------------------------ export
    def load_structures(self, path=None) -> list:
        """Add every structure (SEG segment, RTSTRUCT ROI) of a file as a VOI with its name and colour."""
        if self.model is None or self.session is None:
            return []
        if path is None:
            path, _filter = QFileDialog.getOpenFileName(self, self.tr("Load structures (DICOM SEG or RTSTRUCT)"), "",
                                                        self.tr("DICOM files (*.dcm *);;All files (*)"))
            if not path:
                return []
        from workstation.analysis.lesions.structures import structures_on_grid
        from workstation.io.errors import DicomError

        try:
            found = structures_on_grid(path, self.session.pet.geometry)
        except (DicomError, OSError, ValueError) as exc:  # QuantError is a ValueError
            self.show_message(self.tr("Structures not loaded: {}").format(exc))
            return []
        added = [self.model.add_structure(m, st.name, st.color, {"structure": st.kind, "number": st.number,
                                                                  "file": str(path)})
                 for st, m in found]
        self.show_message(self.tr("Loaded {} structure(s) from {}: ").format(len(added), Path(path).name)
                          + ", ".join(v.name for v in added))
        return added

    def export_csv(self, path=None) -> Path | None:
        """Write the VOI table as CSV; asks for a file name (and before overwriting one)."""
        if self.model is None:
            return None
        if path is None:
            path, _filter = QFileDialog.getSaveFileName(self, self.tr("Export VOIs as CSV"), "vois.csv", self.tr("CSV files (*.csv)"),
                                                        options=QFileDialog.Option.DontConfirmOverwrite)
            if not path:
                return None
        p = Path(path)
        if not p.suffix:
            p = p.with_suffix(".csv")
        try:
            out = write_table_csv(p, self.model.rows())
        except FileExistsError:
            answer = QMessageBox.question(self, self.tr("Overwrite?"), self.tr("{} already exists. Replace it?").format(p.name),
                                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                          QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                self.show_message(self.tr("Not exported: the file exists and was kept."))
                return None
            try:
                out = write_table_csv(p, self.model.rows(), overwrite=True)
            except OSError as exc:
                self.show_message(self.tr("Not exported: {}").format(exc))
                return None
        except OSError as exc:
            self.show_message(self.tr("Not exported: {}").format(exc))
            return None
        if out is not None:
            self.show_message(self.tr("Exported {} VOIs to {}").format(len(self.model.vois), out))
        return out
