"""The registration proposal, shown before anything changes: before/after checkerboards of the
anatomy and the PET, the metric change and the size of the move; the reader accepts or rejects.

A large move of a pair that shares a frame of reference (``proposal.needs_confirmation``) can be
accepted only after ticking a box that repeats the warning. The dialog is non-modal and changes
nothing itself: it emits ``accepted_transform(matrix)`` or ``rejected``.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox, QDialog, QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout,
)


def gray_pixmap(img: np.ndarray, size: int = 260) -> QPixmap:
    """A 0..1 float image as a grey pixmap scaled to ``size`` pixels (longer side)."""
    a = np.ascontiguousarray((np.clip(img, 0.0, 1.0) * 255).astype(np.uint8))
    h, w = a.shape
    q = QImage(a.data, w, h, w, QImage.Format.Format_Grayscale8).copy()
    return QPixmap.fromImage(q).scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                                       Qt.TransformationMode.FastTransformation)


# words of the proposal (analysis.registration.rigid) shown translated; anything else stays as analysis wrote it
PROPOSAL_WORDS = (
    QT_TRANSLATE_NOOP("RegistrationDialog", "Mattes mutual information"),
    QT_TRANSLATE_NOOP("RegistrationDialog", "scanner alignment (identity)"),
    QT_TRANSLATE_NOOP("RegistrationDialog", "image centres"),
    QT_TRANSLATE_NOOP("RegistrationDialog", "intensity moments"),
    QT_TRANSLATE_NOOP("RegistrationDialog", "current alignment"),
    QT_TRANSLATE_NOOP("RegistrationDialog", "the proposed alignment leaves no overlap between the PET and the "
                                            "anatomical image"),
    QT_TRANSLATE_NOOP("RegistrationDialog", "the metric did not improve; keep the current alignment"),
)


class RegistrationDialog(QDialog):
    accepted_transform = Signal(object)  # the 4x4 pet_from_anat to apply
    rejected_proposal = Signal()

    def __init__(self, proposal, preview: dict, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Registration proposal"))
        self.setObjectName("registration-proposal")
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.proposal = proposal
        self.preview = preview
        lay = QVBoxLayout(self)
        p = proposal
        frame = (self.tr("Start: {}; shared frame of reference.") if p.same_frame else
                 self.tr("Start: {}; different frame of reference."))
        self.summary_label = QLabel(
            self.tr("The PET centre would move {:.1f} mm, rotation {:.1f}°.").format(p.move_mm, p.rotation_deg) + "\n"
            + self.tr("{}: {:.4f} → {:.4f} (lower is better).").format(self.tr(p.metric_name), p.metric_before,
                                                                       p.metric_after) + "\n"
            + frame.format(self.tr(p.initialisation)))
        self.summary_label.setObjectName("summary")
        lay.addWidget(self.summary_label)
        self.warning_label = QLabel("\n".join(self.tr(w) for w in p.warnings))
        self.warning_label.setObjectName("warnings")
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet("color: #c0392b;")
        self.warning_label.setVisible(bool(p.warnings))
        lay.addWidget(self.warning_label)
        grid = QGridLayout()
        self.image_labels = {}
        for col, key, title in ((0, "before", self.tr("Now (checkerboard)")),
                                (1, "after", self.tr("Proposed (checkerboard)"))):
            grid.addWidget(QLabel(title), 0, col)
            lab = QLabel()
            lab.setPixmap(gray_pixmap(preview[key]))
            grid.addWidget(lab, 1, col)
            self.image_labels[key] = lab
        self.blend_check = QCheckBox(self.tr("Blend instead of checkerboard"))
        self.blend_check.toggled.connect(self._show_blend)
        grid.addWidget(self.blend_check, 2, 0, 1, 2)
        lay.addLayout(grid)
        self.confirm_check = QCheckBox(
            self.tr("The images show a real misalignment: move the PET by {:.1f} mm / {:.1f}° although PET and "
                    "anatomy share a frame of reference").format(p.move_mm, p.rotation_deg))
        self.confirm_check.setVisible(p.needs_confirmation)
        self.confirm_check.toggled.connect(self._sync)
        lay.addWidget(self.confirm_check)
        row = QHBoxLayout()
        self.accept_button = QPushButton(self.tr("Accept"))
        self.reject_button = QPushButton(self.tr("Reject (keep current alignment)"))
        self.accept_button.clicked.connect(self._accept)
        self.reject_button.clicked.connect(self._reject)
        row.addWidget(self.accept_button)
        row.addWidget(self.reject_button)
        lay.addLayout(row)
        self._sync()

    def _show_blend(self, on: bool) -> None:
        for key, lab in self.image_labels.items():
            lab.setPixmap(gray_pixmap(self.preview[("blend_" + key) if on else key]))

    def _sync(self) -> None:
        p = self.proposal
        ok = p.changes and (not p.needs_confirmation or self.confirm_check.isChecked())
        self.accept_button.setEnabled(ok)

    def _accept(self) -> None:
        self.accepted_transform.emit(self.proposal.to_apply(confirmed=self.confirm_check.isChecked()))
        self.accept()

    def _reject(self) -> None:
        self.rejected_proposal.emit()
        self.reject()
