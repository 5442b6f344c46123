"""The lesion table: one row per VOI of a ``analysis.voi.VoiModel``, sortable, click to navigate.

Concept
-------
``VoiTableModel`` is a Qt table model over the VOI model's rows (``VoiModel.row``); it resets
itself on the VOI model's events. Displayed numbers are formatted, while the sort role
(``Qt.UserRole``) holds the raw number, so sorting is numeric (missing values sort first).
``LesionTable`` is the view: a ``QTableView`` on a ``QSortFilterProxyModel``; selecting a row
emits ``voi_activated(id)`` (the panel selects the VOI and moves the crosshair there).

Width: the numbers a reader compares (SUVmax, SUVpeak, MTV, TLG) must be visible without
horizontal scrolling in the dock at the default window size. The VOI name column stretches into
the space that is left (and elides a long name), the number columns fit their contents, and the
details (threshold, voxel count, PERCIST measurability) are hidden by default; a right click on
the header (:meth:`LesionTable.column_menu`) shows or hides any column.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QT_TRANSLATE_NOOP, QAbstractTableModel, QCoreApplication, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from workstation.ui.quant.voi_style import voi_colour

#: (key of VoiModel.row, header, number format or None)
COLUMNS = (
    ("id", "#", None),
    ("name", QT_TRANSLATE_NOOP("LesionTable", "VOI"), None),
    ("suv_max", "SUVmax", "{:.2f}"),
    ("suv_peak", "SUVpeak", "{:.2f}"),
    ("suv_mean", "SUVmean", "{:.2f}"),
    ("volume_ml", QT_TRANSLATE_NOOP("LesionTable", "Vol/MTV mL"), "{:.2f}"),
    ("tlg", "TLG", "{:.1f}"),
    ("activity_mbq", QT_TRANSLATE_NOOP("LesionTable", "Activity (MBq)"), "{:.2f}"),
    ("method", QT_TRANSLATE_NOOP("LesionTable", "Method"), None),
    ("threshold", QT_TRANSLATE_NOOP("LesionTable", "Thr"), "{:.2f}"),
    ("voxels", QT_TRANSLATE_NOOP("LesionTable", "Voxels"), "{:d}"),
    ("deauville", "Deauville", "{:d}"),
    ("percist_measurable", QT_TRANSLATE_NOOP("LesionTable", "PERCIST ≥thr"), None),
)
QUANTITY_KEYS = ("suv_max", "suv_peak", "suv_mean", "tlg")
#: short prefix of the quantity headers per SUV type: SUVmax, SULmax (SUVlbm), SUVbsa max, SUVibw max
_SUV_PREFIX = {"SUVbw": "SUV", "SUVlbm-james128": "SUL", "SUVlbm-james120": "SUL", "SUVlbm-janma": "SUL",
               "SUVbsa": "SUVbsa ", "SUVibw": "SUVibw "}


def quantity_header(key: str, units: str) -> str:
    """The header of a quantity column in the values' own unit: "SUVmax", "SULpeak", "TLG (SUL)" when the
    VOIs are in SUV; "max (BQML)", "Activity (MBq)" when they are in file units (no SUV: the number
    under a header is never in another unit than it says)."""
    what = {"suv_max": "max", "suv_peak": "peak", "suv_mean": "mean"}.get(key)
    prefix = _SUV_PREFIX.get(units)
    if prefix is None and units.startswith("SUV"):
        prefix = units + " "
    if prefix is not None:
        if key == "tlg":
            return "TLG" if prefix == "SUV" else f"TLG ({prefix.strip()})"
        return f"{prefix}{what}"
    if key == "tlg":
        return QCoreApplication.translate("LesionTable", "Activity (MBq)") if units.upper() == "BQML" else "—"
    return f"{what} ({'Bq/mL' if units.upper() == 'BQML' else units or '?'})"


def quantity_value(key: str, value, units: str):
    """The number shown under :func:`quantity_header`: TLG (mean × mL) in SUV; in Bq/mL the same product is
    Bq, shown in MBq; None where no quantity can be given (other file units)."""
    if key != "tlg" or value is None or str(units).startswith("SUV"):
        return value
    return value / 1e6 if str(units).upper() == "BQML" else None


#: columns hidden by default (shown from the header's context menu)
DETAIL_COLUMNS = ("threshold", "voxels", "percist_measurable", "activity_mbq")
_YES_NO = (QT_TRANSLATE_NOOP("LesionTable", "yes"), QT_TRANSLATE_NOOP("LesionTable", "no"))
SORT_ROLE = Qt.ItemDataRole.UserRole
ID_ROLE = Qt.ItemDataRole.UserRole + 1


class VoiTableModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.vois = None
        #: Bq/mL per unit of the VOI values (1 / SUV factor for an image in Bq/mL), for the activity column
        self.bqml_per_unit: float | None = None
        self._rows: list[dict] = []
        self._colours: list[tuple] = []

    def set_model(self, vois) -> None:
        if self.vois is not None:
            self.vois.events.disconnect("*", self._on_event)
        self.vois = vois
        if vois is not None:
            vois.events.connect("*", self._on_event)
        self.refresh()

    def _on_event(self, event: str, **kw) -> None:
        if event != "selected":
            self.refresh()
        if event == "suv":  # new SUV type or units: the headers say the new unit
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)

    def refresh(self) -> None:
        self.beginResetModel()
        if self.vois is None:
            self._rows, self._colours = [], []
        else:
            self._rows = self.vois.rows()
            self._colours = [voi_colour(self.vois.get(r["id"])) for r in self._rows]
        self.endResetModel()

    def row_dict(self, row: int) -> dict:
        return self._rows[row]

    # ------------------------------------------------------------ Qt model API
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            key = COLUMNS[section][0]
            units = getattr(self.vois, "units", "SUVbw") if self.vois is not None else "SUVbw"
            if key in QUANTITY_KEYS:
                return quantity_header(key, units)
            return QCoreApplication.translate("LesionTable", COLUMNS[section][1])
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal \
                and COLUMNS[section][0] in QUANTITY_KEYS and self.vois is not None:
            return QCoreApplication.translate("LesionTable", "values in {}").format(self.vois.units)
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        key, _title, fmt = COLUMNS[index.column()]
        value = r.get(key)
        if key == "activity_mbq":  # MBq in the VOI: mean (Bq/mL) x volume (mL)
            mean, vol = r.get("suv_mean"), r.get("volume_ml")
            value = None if (self.bqml_per_unit is None or mean is None or vol is None) else \
                float(mean) * self.bqml_per_unit * float(vol) / 1e6
        if role == ID_ROLE:
            return r["id"]
        if role == SORT_ROLE:
            if isinstance(value, bool):
                return int(value)
            if isinstance(value, (int, float)):
                return float(value) if math.isfinite(value) else -math.inf
            return -math.inf if value is None else str(value)
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "tlg" and value is not None and self.vois is not None:
                value = quantity_value("tlg", value, self.vois.units)  # activity (MBq) when not in SUV
                if value is None:
                    return "—"
            if value is None or (isinstance(value, float) and not math.isfinite(value)):
                return ""
            if isinstance(value, bool):
                return QCoreApplication.translate("LesionTable", "yes" if value else "no")
            if key == "method" and not value:
                return r["kind"]
            return fmt.format(value) if fmt else str(value)
        if role == Qt.ItemDataRole.DecorationRole and key == "name":
            c = self._colours[index.row()]
            return QColor.fromRgbF(*c)
        if role == Qt.ItemDataRole.TextAlignmentRole and fmt:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class LesionTable(QTableView):
    voi_activated = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.source_model = VoiTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.source_model)
        self.proxy.setSortRole(SORT_ROLE)
        self.setModel(self.proxy)
        self.setSortingEnabled(True)
        self.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.column_of("name"), QHeaderView.ResizeMode.Stretch)  # takes what is left
        header.setStretchLastSection(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        for key in DETAIL_COLUMNS:
            self.setColumnHidden(self.column_of(key), True)
        header.sectionResized.connect(lambda *_: self.updateGeometry())  # wider numbers: the dock follows
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(lambda pos: self.column_menu().exec(header.mapToGlobal(pos)))
        self.verticalHeader().setVisible(False)
        self.clicked.connect(self._activated)
        self.activated.connect(self._activated)
        self.source_model.modelReset.connect(self._reselect)

    def _reselect(self) -> None:
        self.updateGeometry()  # new numbers may be wider: the dock follows (minimumSizeHint)
        vois = self.source_model.vois
        self.select_id(None if vois is None else vois.selected)

    def set_model(self, vois) -> None:
        self.source_model.set_model(vois)

    def id_at(self, view_row: int) -> int:
        """VOI id shown in a row of the (sorted) view."""
        return int(self.proxy.index(view_row, 0).data(ID_ROLE))

    def ids(self) -> list[int]:
        return [self.id_at(r) for r in range(self.proxy.rowCount())]

    def column_of(self, key: str) -> int:
        return [c[0] for c in COLUMNS].index(key)

    NAME_MIN_PX = 90  # the VOI name column's share when the dock is at its narrowest

    def minimumSizeHint(self):
        """At least as wide as the shown number columns plus a short name: the dock never scrolls them."""
        hint = super().minimumSizeHint()
        header = self.horizontalHeader()
        name = self.column_of("name")
        width = sum(max(header.sectionSize(c), header.sectionSizeHint(c)) for c in range(len(COLUMNS))
                    if c != name and not self.isColumnHidden(c))
        width += self.NAME_MIN_PX + 2 * self.frameWidth() + self.verticalScrollBar().sizeHint().width()
        hint.setWidth(max(hint.width(), width))
        return hint

    def sizeHint(self):
        hint = super().sizeHint()
        hint.setWidth(max(hint.width(), self.minimumSizeHint().width()))
        return hint

    def column_menu(self):
        """A menu of every column (checked = shown); choosing one shows or hides it."""
        from PySide6.QtWidgets import QMenu

        menu = QMenu(self)
        for col, (key, header, _fmt) in enumerate(COLUMNS):
            act = menu.addAction(QCoreApplication.translate("LesionTable", header))
            act.setData(key)
            act.setCheckable(True)
            act.setChecked(not self.isColumnHidden(col))
            act.toggled.connect(lambda on, c=col: (self.setColumnHidden(c, not on), self.updateGeometry()))
        return menu

    def select_id(self, voi_id: int | None) -> None:
        """Highlight the row of a VOI (without navigating)."""
        self.blockSignals(True)
        try:
            self.clearSelection()
            if voi_id is not None and voi_id in self.ids():
                self.selectRow(self.ids().index(voi_id))
        finally:
            self.blockSignals(False)

    def _activated(self, index) -> None:
        if index.isValid():
            self.voi_activated.emit(int(index.data(ID_ROLE)))
