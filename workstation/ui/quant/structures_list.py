"""The study's structures (RTSTRUCT ROIs, SEG segments), listed as soon as the study opens.

Concept
-------
When the main window opens a study it tells this list where the study came from (a folder or the
study database). A worker thread (``workers.Job``; the newest study wins) finds the RTSTRUCT and SEG
series of the PET's study and reads their headers only (``analysis.structures.list_structures``),
so the list fills without drawing or measuring anything. Statistics are computed on demand: *Measure*
(or a double click) fills the chosen structures on the PET grid off the UI thread, adds them as VOIs
of the VOI panel (drawn in their colours, in the lesion table) and writes volume, SUVmax and SUVmean
into the list.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workstation.ui.workers import Job, JobSlot

COLUMNS = ("name", "kind", "volume_ml", "suv_max", "suv_mean")


def _series_of_source(kind: str, where, db):
    """The series list of the study's source: a folder scan, or the database's series of a study."""
    if kind == "folder":
        from workstation.io.series import find_series

        return find_series([str(where)])
    if kind == "db" and db is not None:
        return [_DbSeries(s, db) for s in db.series(where)]
    return []


class _DbSeries:
    """A database series row with its files (looked up only for structure series)."""

    def __init__(self, row, db):
        self.modality, self.study_uid = row.modality, row.study_uid
        self._row, self._db = row, db

    @property
    def files(self):
        return self._db.series_files(self._row.series_uid)


class StructuresList(QWidget):
    def __init__(self, panel, parent=None):
        super().__init__(parent)
        self.panel = panel  # the VOI panel: its model receives measured structures
        self.entries = []
        self.measured: dict[tuple, object] = {}  # entry key -> VOI
        self.list_jobs, self.measure_jobs = JobSlot(owner=self), JobSlot(owner=self)  # nothing after it is gone
        self.tree = QTreeWidget()
        self.tree.setObjectName("structures-list")
        self.tree.setColumnCount(len(COLUMNS))
        self._units = "SUVbw"
        self._set_headers()
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.itemDoubleClicked.connect(lambda item, _c: self.measure([self.tree.indexOfTopLevelItem(item)]))
        self.measure_button = QPushButton(self.tr("Measure"))
        self.measure_button.setToolTip(self.tr("fill the chosen structures on the PET grid and add them as VOIs "
                                               "with their statistics"))
        self.measure_button.clicked.connect(lambda: self.measure())
        self.status = QLabel(self.tr("No study structures."))
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.measure_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(QLabel(self.tr("Study structures")))
        lay.addWidget(self.tree)
        lay.addLayout(row)
        self._session = None
        self._fill([])

    def _set_headers(self) -> None:
        """Headers in the unit of the VOI model's values (``lesion_table.quantity_header``: SUVmax, SULmax,
        max (Bq/mL))."""
        from workstation.ui.quant.lesion_table import quantity_header

        self.tree.setHeaderLabels([self.tr("Structure"), self.tr("Type"), self.tr("Volume (mL)"),
                                   quantity_header("suv_max", self._units), quantity_header("suv_mean", self._units)])

    def _watch(self, model) -> None:
        """Follow the VOI model: a new SUV type re-measures its VOIs, and the measured rows show the new values."""
        old = getattr(self, "_watched", None)
        if old is model:
            return
        if old is not None:
            old.events.disconnect("suv", self._on_suv)
        self._watched = model
        if model is not None:
            model.events.connect("suv", self._on_suv)
            self._on_suv()

    def _on_suv(self, event=None, **kw) -> None:
        model = self._watched
        if model is None:
            return
        self._units = model.units
        self._set_headers()
        for key, v in self.measured.items():
            row = next((i for i, e in enumerate(self.entries) if e.key == key), None)
            if row is None or model.vois.get(v.id) is not v:
                continue
            self._show_stats(self.tree.topLevelItem(row), v.stats)

    @staticmethod
    def _show_stats(item, st) -> None:
        item.setText(2, f"{st.volume_ml:.2f}")
        item.setText(3, f"{st.max:.3f}")
        item.setText(4, f"{st.mean:.3f}")

    # ------------------------------------------------------------ listing
    def find(self, session, kind: str | None, where, db=None) -> Job | None:
        """List the structures of the session's study (``kind`` "folder" or "db"), off the UI thread."""
        self.measure_jobs.cancel()
        self._session = session
        self.measured = {}
        self._watch(self.panel.model)
        self._fill([])
        if session is None or session.pet is None or kind is None:
            self.status.setText(self.tr("No study structures."))
            self.list_jobs.cancel()
            return None
        study = getattr(session.pet, "study_uid", "") or None

        def work(progress):
            from workstation.analysis.lesions.structures import list_structures, study_structure_files

            files = study_structure_files(_series_of_source(kind, where, db), study)
            return list_structures(files, progress)

        self.status.setText(self.tr("Looking for structures…"))
        job = Job(work, name="structures")
        return self.list_jobs.start(job, on_result=lambda r, s=session: self._listed(s, r),
                                    on_error=lambda m: self.status.setText(self.tr("Structures not listed: {}").format(m)))

    def _listed(self, session, result) -> None:
        if session is not self._session:
            return
        entries, problems = result
        self._fill(entries)
        text = self.tr("{} structure(s) in this study").format(len(entries)) if entries else \
            self.tr("No structures in this study.")
        if problems:
            text += "\n" + self.tr("Not read: {}").format("; ".join(problems))
        self.status.setText(text)

    def _fill(self, entries) -> None:
        self.entries = list(entries)
        self.tree.clear()
        for e in self.entries:
            item = QTreeWidgetItem([e.name, e.kind, "", "", ""])
            item.setToolTip(0, f"{e.series_description or e.path} (#{e.number})")
            if e.colour is not None:
                item.setForeground(0, QColor(*e.colour))
            for c in (2, 3, 4):
                item.setTextAlignment(c, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.tree.addTopLevelItem(item)
        self.measure_button.setEnabled(bool(self.entries))

    # ------------------------------------------------------------ statistics on demand
    def measure(self, rows=None) -> Job | None:
        """Fill the structures of ``rows`` (default: the selected ones, else all) on the PET grid and add them as VOIs."""
        s, model = self._session, self.panel.model
        if s is None or s.pet is None or model is None or not self.entries:
            return None
        if rows is None:
            rows = sorted(self.tree.indexOfTopLevelItem(i) for i in self.tree.selectedItems()) or \
                list(range(len(self.entries)))
        chosen = [self.entries[r] for r in rows if 0 <= r < len(self.entries) and self.entries[r].key not in self.measured]
        if not chosen:
            return None
        geometry = s.pet.geometry

        def work(progress):
            from workstation.analysis.errors import QuantError
            from workstation.analysis.lesions.structures import structure_mask
            from workstation.io.errors import DicomError

            out = []
            for n, e in enumerate(chosen):
                progress.update(n / len(chosen), e.name)
                try:
                    out.append((e, structure_mask(e, geometry), None))
                except (DicomError, QuantError, OSError, ValueError) as exc:
                    out.append((e, None, str(exc)))
            return out

        self.status.setText(self.tr("Measuring {} structure(s)…").format(len(chosen)))
        return self.measure_jobs.start(Job(work, name="structure stats"), on_result=lambda r, m=model: self._measured(m, r),
                                       on_error=lambda m: self.status.setText(m))

    def _measured(self, model, results) -> None:
        if model is not self.panel.model:
            return
        errors = []
        for e, mask, error in results:
            if error is not None:
                errors.append(f"{e.name}: {error}")
                continue
            v = model.add_structure(mask, e.name, e.colour, {"structure": e.kind, "number": e.number, "file": e.path})
            self.measured[e.key] = v
            self._show_stats(self.tree.topLevelItem(self.entries.index(e)), v.stats)
        self._watch(model)
        self.status.setText(self.tr("{} structure(s) measured").format(len(results) - len(errors))
                            + ("\n" + "; ".join(errors) if errors else ""))

    def row_values(self, row: int) -> dict:
        """The texts of one row, by column name (tests and the report read it)."""
        item = self.tree.topLevelItem(row)
        return {c: item.text(n) for n, c in enumerate(COLUMNS)}
