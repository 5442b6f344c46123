"""The batch results browser: a results file of `workstation batch run`, sortable and filterable.

Concept
-------
``RowsModel`` is a Qt table model over plain rows (dicts with the columns of
``workstation.batch.schema``): numbers are shown formatted while the sort role (``Qt.UserRole``)
holds the raw value, so sorting is numeric (missing values sort first). ``RowsFilter`` keeps the
rows whose shown text contains the filter words (every word, any column, case-insensitive), of
the chosen status, and optionally only the rows with a QC flag. ``BatchResultsWindow`` shows the
series rows on top and the selected series' lesions below; *Open study* (or a double click) hands
the row to an opener. :func:`open_in_viewer` is the reading window's opener: it loads the series'
folder (the row's PET series, with the CT/MR found beside it) off the UI thread, places the liver
reference where the batch found it, and detects the lesions again with the row's method, minimum
volume and exclusions, so the reader sees the lesions the row counts.

Reading a Parquet file of tens of thousands of rows takes well under a second, so it is read on
the UI thread.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QAbstractTableModel, QCoreApplication, QModelIndex, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget)

CONTEXT = "BatchResultsWindow"
#: (column of the series table, header)
SERIES_SHOWN = (
    ("status", QT_TRANSLATE_NOOP("BatchResultsWindow", "status")),
    ("source", QT_TRANSLATE_NOOP("BatchResultsWindow", "folder")),
    ("study_date", QT_TRANSLATE_NOOP("BatchResultsWindow", "date")),
    ("patient_sex", QT_TRANSLATE_NOOP("BatchResultsWindow", "sex")),
    ("patient_age_y", QT_TRANSLATE_NOOP("BatchResultsWindow", "age")),
    ("tracer", QT_TRANSLATE_NOOP("BatchResultsWindow", "tracer")),
    ("method", QT_TRANSLATE_NOOP("BatchResultsWindow", "method")),
    ("n_lesions", QT_TRANSLATE_NOOP("BatchResultsWindow", "lesions")),
    ("suvmax", QT_TRANSLATE_NOOP("BatchResultsWindow", "SUVmax")),
    ("tmtv_ml", QT_TRANSLATE_NOOP("BatchResultsWindow", "TMTV mL")),
    ("tlg_total", QT_TRANSLATE_NOOP("BatchResultsWindow", "TLG")),
    ("liver_suvmean", QT_TRANSLATE_NOOP("BatchResultsWindow", "liver SUVmean")),
    ("suvmax_image", QT_TRANSLATE_NOOP("BatchResultsWindow", "image SUVmax")),
    ("suv_factor", QT_TRANSLATE_NOOP("BatchResultsWindow", "SUV factor")),
    ("qc_flags", QT_TRANSLATE_NOOP("BatchResultsWindow", "QC flags")),
    ("error", QT_TRANSLATE_NOOP("BatchResultsWindow", "reason of failure")),
    ("series_uid", QT_TRANSLATE_NOOP("BatchResultsWindow", "series UID")),
)
LESION_SHOWN = (
    ("lesion", QT_TRANSLATE_NOOP("BatchResultsWindow", "#")),
    ("suvmax", QT_TRANSLATE_NOOP("BatchResultsWindow", "SUVmax")),
    ("suvmean", QT_TRANSLATE_NOOP("BatchResultsWindow", "SUVmean")),
    ("suvpeak", QT_TRANSLATE_NOOP("BatchResultsWindow", "SUVpeak")),
    ("mtv_ml", QT_TRANSLATE_NOOP("BatchResultsWindow", "MTV mL")),
    ("tlg", QT_TRANSLATE_NOOP("BatchResultsWindow", "TLG")),
    ("centre_x", QT_TRANSLATE_NOOP("BatchResultsWindow", "x mm")),
    ("centre_y", QT_TRANSLATE_NOOP("BatchResultsWindow", "y mm")),
    ("centre_z", QT_TRANSLATE_NOOP("BatchResultsWindow", "z mm")),
)
#: the lower table of a brain row (its regions) and of a dosimetry row (its VOIs)
REGION_SHOWN = (
    ("region", QT_TRANSLATE_NOOP("BatchResultsWindow", "region")),
    ("hemisphere", QT_TRANSLATE_NOOP("BatchResultsWindow", "side")),
    ("suvr", QT_TRANSLATE_NOOP("BatchResultsWindow", "SUVR")),
    ("z", QT_TRANSLATE_NOOP("BatchResultsWindow", "z")),
    ("ai", QT_TRANSLATE_NOOP("BatchResultsWindow", "asymmetry %")),
    ("reference", QT_TRANSLATE_NOOP("BatchResultsWindow", "reference")),
)
VOI_SHOWN = (
    ("voi", QT_TRANSLATE_NOOP("BatchResultsWindow", "VOI")),
    ("mass_g", QT_TRANSLATE_NOOP("BatchResultsWindow", "mass g")),
    ("fit_model", QT_TRANSLATE_NOOP("BatchResultsWindow", "fit")),
    ("tia_mbq_h", QT_TRANSLATE_NOOP("BatchResultsWindow", "TIA MBq h")),
    ("dose_gy", QT_TRANSLATE_NOOP("BatchResultsWindow", "dose Gy")),
    ("dose_sd_gy", QT_TRANSLATE_NOOP("BatchResultsWindow", "SD Gy")),
    ("gy_per_gbq", QT_TRANSLATE_NOOP("BatchResultsWindow", "Gy/GBq")),
)
DETAIL_SHOWN = {"brain": REGION_SHOWN, "dosimetry": VOI_SHOWN}


def _text(column: str, v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if not math.isfinite(v):
            return ""
        if column == "suv_factor":
            return f"{v:.6g}"
        return f"{v:.3f}" if abs(v) < 1e5 else f"{v:.4g}"
    if column == "source":
        return Path(str(v)).name or str(v)
    return str(v)


def _sort_key(v):
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return float("-inf")
    if isinstance(v, (int, float)):
        return float(v)
    return str(v).lower()


class RowsModel(QAbstractTableModel):
    def __init__(self, columns, parent=None):
        super().__init__(parent)
        self.columns = tuple(columns)
        self.rows: list[dict] = []

    def set_rows(self, rows: list[dict], columns=None) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        if columns is not None:
            self.columns = tuple(columns)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        col = self.columns[index.column()][0]
        v = self.rows[index.row()].get(col)
        if role == Qt.ItemDataRole.DisplayRole:
            return _text(col, v)
        if role == Qt.ItemDataRole.UserRole:
            return _sort_key(v)
        if role == Qt.ItemDataRole.ToolTipRole and col in ("source", "error", "series_uid"):
            return None if v is None else str(v)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(v, (int, float)) and not isinstance(v, bool):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate(CONTEXT, self.columns[section][1])
        return None


class RowsFilter(QSortFilterProxyModel):
    """Words (all must appear, in any shown column), a status, and optionally only flagged rows."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.words: list[str] = []
        self.status = ""  # "", "ok" or "failed"
        self.flagged_only = False
        self.setSortRole(Qt.ItemDataRole.UserRole)

    def set_filter(self, text: str = "", status: str = "", flagged_only: bool = False) -> None:
        self.beginFilterChange()
        self.words = [w.lower() for w in str(text).split()]
        self.status = status
        self.flagged_only = flagged_only
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:  # noqa: N802
        model = self.sourceModel()
        row = model.rows[source_row]
        if self.status and row.get("status") != self.status:
            return False
        if self.flagged_only and not row.get("qc_flags"):
            return False
        if not self.words:
            return True
        text = " ".join(_text(c, row.get(c)) for c, _ in model.columns).lower() + " " + str(row.get("source") or "").lower()
        return all(w in text for w in self.words)


def _table(model, proxy=None) -> QTableView:
    view = QTableView()
    view.setModel(proxy or model)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.verticalHeader().hide()
    return view


class BatchResultsWindow(QWidget):
    """A results file's series and lesion rows; ``open_requested(series row, lesion rows)`` on *Open study*."""

    open_requested = Signal(dict, list)

    def __init__(self, parent=None, opener=None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle(self.tr("Batch results"))
        self.resize(1200, 700)
        self.path: Path | None = None
        self.lesions_by_key: dict[str, list[dict]] = {}
        self.details_by_key: dict[str, list[dict]] = {}
        self.meta: dict = {}
        if opener is not None:
            self.open_requested.connect(opener)
        self.open_button = QPushButton(self.tr("Open results…"))
        self.open_button.clicked.connect(self.choose_file)
        self.path_label = QLabel(self.tr("no results file"))
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(self.tr("filter: words that every row shown must contain"))
        self.filter_edit.setClearButtonEnabled(True)
        self.status_box = QComboBox()
        for text, value in ((self.tr("all rows"), ""), (self.tr("quantified"), "ok"), (self.tr("failed"), "failed")):
            self.status_box.addItem(text, value)
        self.flagged = QCheckBox(self.tr("QC flags only"))
        self.count_label = QLabel("")
        self.study_button = QPushButton(self.tr("Open study"))
        self.study_button.setToolTip(self.tr("open the selected series in the reading window and find its lesions "
                                             "again with the row's method"))
        self.study_button.setEnabled(False)
        self.study_button.clicked.connect(self.open_selected)
        top = QHBoxLayout()
        for w in (self.open_button, self.path_label):
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(self.study_button)
        bar = QHBoxLayout()
        for w in (self.filter_edit, self.status_box, self.flagged, self.count_label):
            bar.addWidget(w)
        self.series_model = RowsModel(SERIES_SHOWN, self)
        self.series_proxy = RowsFilter(self)
        self.series_proxy.setSourceModel(self.series_model)
        self.series_view = _table(self.series_model, self.series_proxy)
        self.series_view.setObjectName("batch-series")
        self.lesion_model = RowsModel(LESION_SHOWN, self)
        self.lesion_proxy = QSortFilterProxyModel(self)
        self.lesion_proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.lesion_proxy.setSourceModel(self.lesion_model)
        self.lesion_view = _table(self.lesion_model, self.lesion_proxy)
        self.lesion_view.setObjectName("batch-lesions")
        self.meta_label = QLabel("")
        self.meta_label.setWordWrap(True)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.series_view)
        split.addWidget(self.lesion_view)
        split.setSizes([450, 200])
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(bar)
        lay.addWidget(split, 1)
        lay.addWidget(self.meta_label)
        self.filter_edit.textChanged.connect(lambda _t: self._refilter())
        self.status_box.currentIndexChanged.connect(lambda _i: self._refilter())
        self.flagged.toggled.connect(lambda _c: self._refilter())
        self.series_view.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self.series_view.doubleClicked.connect(lambda _i: self.open_selected())

    # ------------------------------------------------------------ data
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open batch results"), "",
                                              self.tr("Batch results (*.parquet)"))
        if path:
            self.open_results(path)

    def open_results(self, path) -> bool:
        from workstation.batch.store import load_level, load_results

        try:
            series, lesions, meta = load_results(path)
            details = load_level(path, "regions") + load_level(path, "vois")
        except (ValueError, OSError) as exc:
            self.path_label.setText(self.tr("cannot open {}: {}").format(path, exc))
            return False
        self.set_results(series, lesions, meta, details)
        self.path = Path(path)
        self.path_label.setText(str(path))
        return True

    def set_results(self, series: list[dict], lesions: list[dict], meta: dict | None = None,
                    details: list[dict] | None = None) -> None:
        """``details``: the region rows (brain) and VOI rows (dosimetry), shown below their series row
        in the place of the lesions."""
        self.lesions_by_key = {}
        for x in lesions:
            self.lesions_by_key.setdefault(x.get("result_key"), []).append(x)
        self.details_by_key = {}
        for x in details or []:
            self.details_by_key.setdefault(x.get("result_key"), []).append(x)
        self.meta = meta or {}
        self.series_model.set_rows(series)
        self.lesion_model.set_rows([])
        self.series_view.resizeColumnsToContents()
        runs = self.meta.get("runs") or []
        if runs:
            r = runs[-1]
            self.meta_label.setText(self.tr("task {}, workstation {}, {} run(s); last: {} selected, {} failed, {:.1f} s").format(
                r.get("task", "?"), r.get("software_version", "?"), len(runs), r.get("selected", "?"), r.get("failed", "?"),
                float(r.get("seconds") or 0)))
        self._refilter()

    def _refilter(self) -> None:
        self.series_proxy.set_filter(self.filter_edit.text(), self.status_box.currentData() or "",
                                     self.flagged.isChecked())
        self.count_label.setText(self.tr("{} of {} series").format(self.series_proxy.rowCount(),
                                                                   self.series_model.rowCount()))
        self._selection_changed()

    def selected_row(self) -> dict | None:
        idx = self.series_view.selectionModel().selectedRows()
        if not idx:
            return None
        return self.series_model.rows[self.series_proxy.mapToSource(idx[0]).row()]

    def _selection_changed(self) -> None:
        row = self.selected_row()
        key = row.get("result_key") if row else None
        shown = DETAIL_SHOWN.get(row.get("task")) if row else None
        if shown is not None:
            self.lesion_model.set_rows(self.details_by_key.get(key, []), shown)
        else:
            self.lesion_model.set_rows(self.lesions_by_key.get(key, []) if row else [], LESION_SHOWN)
        # a series read over DICOMweb has no folder here to open
        self.study_button.setEnabled(row is not None and bool(row.get("source"))
                                     and not str(row.get("source")).startswith(("http://", "https://")))

    def open_selected(self) -> None:
        row = self.selected_row()
        if row is not None and row.get("source") and self.study_button.isEnabled():
            self.open_requested.emit(dict(row), list(self.lesions_by_key.get(row.get("result_key"), [])))


# ------------------------------------------------------------------ the reading window's opener
def open_in_viewer(main, row: dict, lesions: list | None = None):
    """Load the row's series in the reading window ``main`` and find its lesions again (see the module
    docstring); returns the loading job."""
    job = main.load_folder(str(row["source"]), pet_uid=row.get("series_uid") or None)
    fired = []

    def loaded(_session=None) -> None:
        session = main.session
        if fired or not main.load_jobs.is_current(job) or session is None or session.pet is None:
            return
        if row.get("series_uid") and session.pet.series_uid != row["series_uid"]:
            return
        fired.append(True)
        panel = main.voi_panel
        if panel.model is None:
            return
        if all(isinstance(row.get(k), float) and math.isfinite(row[k]) for k in ("liver_x", "liver_y", "liver_z")):
            panel.model.set_liver_reference((row["liver_x"], row["liver_y"], row["liver_z"]))
        if row.get("task") != "lesions" or not row.get("method"):
            return
        from workstation.ui.quant.voi_style import choice_of_method

        try:
            label, value = choice_of_method(row["method"])
        except ValueError:
            panel.show_message(QCoreApplication.translate(CONTEXT, "method {} has no choice in the viewer").format(
                row["method"]))
            return
        panel.method_box.setCurrentIndex(max(0, panel.method_box.findData(label)))
        if value is not None:
            panel.user_value.setValue(float(value))
        try:
            params = json.loads(row.get("parameters") or "{}")
        except ValueError:
            params = {}
        panel.min_volume.setValue(float(params.get("min_volume_ml", 0.5)))
        panel.exclude.setChecked(bool(params.get("exclude", True)))
        panel.detect_whole_body()

    job.succeeded.connect(loaded)
    if not job.is_running():  # it finished before the connection: its result is queued; follow it
        QTimer.singleShot(0, loaded)
    return job


def open_batch_results(main, path=None) -> BatchResultsWindow:
    """The results browser of the reading window ``main`` (one per window, kept on it)."""
    win = getattr(main, "batch_results_window", None)
    if win is None:
        win = BatchResultsWindow(main, opener=lambda row, lesions: open_in_viewer(main, row, lesions))
        main.batch_results_window = win
    if path:
        win.open_results(path)
    win.show()
    win.raise_()
    return win
