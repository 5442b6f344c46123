"""Values read back from DICOM results: an SR's measurements and a RWVM's SUV factor, in one window.

Reading › *Import DICOM SR / RWVM…* opens this non-modal window beside the viewer. An SR
(TID 1500, ours or another tool's such as dcmqi) is listed one row per measurement group: name,
segment number, the VOI of the reading with the same name (a SEG imported with *Import DICOM SEG*
names its VOIs after the segments, so the two sit side by side), SUVmax, SUVpeak, SUVmean, MTV,
TLG and the qualitative evaluations (Deauville, PERCIST). A RWVM is compared, instance by
instance, with the SUV factors of the reading (``analysis.reading.compare_rwvm``): its factor,
ours, the largest relative difference and whether they agree.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import QDialog, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout

COLUMNS = (QT_TRANSLATE_NOOP("ImportedResults", "Name"), QT_TRANSLATE_NOOP("ImportedResults", "Segment"),
           QT_TRANSLATE_NOOP("ImportedResults", "VOI"), QT_TRANSLATE_NOOP("ImportedResults", "SUVmax"),
           QT_TRANSLATE_NOOP("ImportedResults", "SUVpeak"), QT_TRANSLATE_NOOP("ImportedResults", "SUVmean"),
           QT_TRANSLATE_NOOP("ImportedResults", "MTV (mL)"), QT_TRANSLATE_NOOP("ImportedResults", "TLG"),
           QT_TRANSLATE_NOOP("ImportedResults", "Evaluation"))
VALUE_KEYS = ("suvmax", "suvpeak", "suvmean", "mtv_ml", "tlg")


def _num(v) -> str:
    return "" if v is None else f"{float(v):.3f}"


class ImportedResults(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("imported-results")
        self.setWindowTitle(self.tr("Imported results"))
        self.setModal(False)
        lay = QVBoxLayout(self)
        self.sr_label = QLabel(self.tr("No structured report imported"))
        self.sr_label.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.rwvm_label = QLabel(self.tr("No RWV mapping imported"))
        self.rwvm_label.setWordWrap(True)
        self.rwvm_label.setObjectName("rwvm-comparison")
        for wdg in (self.sr_label, self.table, self.rwvm_label):
            lay.addWidget(wdg)
        self.resize(820, 320)
        self.rows: list[dict] = []
        self.rwvm = None

    def show_sr(self, path: str, rows: list[dict], voi_names) -> None:
        """List the SR's groups; ``voi_names``: the names of the reading's VOIs (matched by name)."""
        self.rows = rows
        names = set(voi_names)
        self.sr_label.setText(self.tr("{} ({} measurement groups)").format(path, len(rows)))
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            cells = [row["name"], "" if row["segment"] is None else str(row["segment"]),
                     row["name"] if row["name"] in names else "",
                     *(_num(row[k]) for k in VALUE_KEYS), row.get("evaluations", "")]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if 3 <= c <= 7:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()

    def show_rwvm(self, path: str, cmp) -> None:
        self.rwvm = cmp
        if not cmp.mapped:
            self.rwvm_label.setText(self.tr("{}: maps none of the {} PET images of this reading").format(
                path, cmp.instances))
            return
        verdict = self.tr("agrees with ours") if cmp.agrees else self.tr("DIFFERS from ours")
        self.rwvm_label.setText(self.tr("{}: SUV factor {:.6g} ({} of {} images), ours {:.6g}, largest difference "
                                        "{:.4f} %: {}").format(path, cmp.file_factor, cmp.mapped, cmp.instances,
                                                               cmp.our_factor, 100.0 * cmp.max_relative_difference,
                                                               verdict))

    def cell(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return "" if item is None else item.text()
