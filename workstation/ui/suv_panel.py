"""SUV settings: the provenance trail of the SUV factor and audited user overrides.

Concept
-------
The panel shows where every input of the SUV came from (``SuvResult.to_text()``: tag or
override, value, unit, rule) or, when an input is missing, which tag is missing and which
override fills it. The user may choose the SUV type and override weight, height, sex, dose,
injection time or half-life; an override needs a reason, and each applied change is appended to
the audit list (time, user, what changed, reason) kept with the session.
"""

from __future__ import annotations

import datetime as _dt
import getpass

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workstation.core import vocabulary as vocab

FIELDS = (("weight_kg", "Weight (kg)"), ("height_m", "Height (m)"), ("sex", "Sex (M/F)"),
          ("dose_bq", "Injected dose (Bq)"), ("injection_datetime", "Injection time (YYYY-MM-DDTHH:MM:SS)"),
          ("half_life_s", "Half-life (s)"))
MISSING_STYLE = "border: 2px solid #d33;"  # the form field of the input an error names

#: (key, menu text) of every SUV type of core.vocabulary
SUV_TYPES = tuple((t.key, t.label) for t in vocab.SUV_TYPE_LIST)


class SuvPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.session = None
        self.trail = QPlainTextEdit()
        self.trail.setReadOnly(True)
        self.type_box = QComboBox()
        for key, text in SUV_TYPES:
            self.type_box.addItem(f"SUV{key} ({text})", key)
        self.edits = {name: QLineEdit() for name, _ in FIELDS}
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("reason for the override (required)")
        self.apply_button = QPushButton("Apply")
        self.apply_button.clicked.connect(self.apply)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.audit = QListWidget()
        form = QFormLayout()
        form.addRow("SUV type", self.type_box)
        for name, label in FIELDS:
            form.addRow(label, self.edits[name])
        form.addRow("Reason", self.reason)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Provenance"))
        lay.addWidget(self.trail, 2)
        lay.addLayout(form)
        lay.addWidget(self.apply_button)
        lay.addWidget(self.message)
        lay.addWidget(QLabel("Audit trail"))
        lay.addWidget(self.audit, 1)

    def set_session(self, session) -> None:
        if self.session is not None:
            self.session.events.disconnect("pet", self._refresh_event)
        self.session = session
        if session is not None:
            session.events.connect("pet", self._refresh_event)
        self.refresh()

    def _refresh_event(self, event, **kw) -> None:
        self.refresh()

    def refresh(self) -> None:
        s = self.session
        if s is None or s.pet is None:
            self.trail.setPlainText("No PET loaded.")
            return
        if s.suv.result is not None:
            self.trail.setPlainText(s.suv.result.to_text())
        elif s.suv.factor is not None:
            self.trail.setPlainText(f"PET stored as {s.suv.units}: factor 1")
        else:
            self.trail.setPlainText(f"SUV not available; PET shown in {s.pet.units or 'file units'}.\n{s.suv.error}")
        self.mark_field(getattr(s.suv, "error_field", None) if s.suv.factor is None else None)
        self.audit.clear()
        for entry in s.suv.audit:
            self.audit.addItem(f"{entry.get('time', '')} {entry.get('user', '')}: {entry.get('changes', '')} "
                               f"— {entry.get('reason', '')}")

    def mark_field(self, name: str | None) -> None:
        """Outline the form field of input ``name`` (the ``field`` of an SUV error) and clear the others."""
        for key, edit in self.edits.items():
            edit.setStyleSheet(MISSING_STYLE if key == name else "")
        if name in self.edits:
            self.edits[name].setFocus()

    def apply(self) -> bool:
        """Apply the SUV type and overrides; returns False (with a message) when refused."""
        from workstation.analysis.suv import SuvError, SuvOverrides

        s = self.session
        if s is None or s.pet is None:
            return False
        values = {name: self.edits[name].text().strip() or None for name, _ in FIELDS}
        given = {k: v for k, v in values.items() if v is not None}
        reason = self.reason.text().strip()
        if given and not reason:
            self.message.setText("An override needs a reason (it is written to the audit trail).")
            return False
        try:
            overrides = SuvOverrides(**given) if given else None
        except SuvError as exc:
            self.message.setText(str(exc))
            self.mark_field(exc.field)
            return False
        suv_type = self.type_box.currentData()
        changes = ", ".join(f"{k}={v}" for k, v in given.items()) or "no overrides"
        entry = {"time": _dt.datetime.now().isoformat(timespec="seconds"), "user": getpass.getuser(),
                 "changes": f"SUV{suv_type}; {changes}", "reason": reason or "(type change)"}
        s.set_suv(suv_type, overrides, audit=entry)
        self.message.setText("Applied." if s.suv.factor is not None else f"SUV unavailable: {s.suv.error}")
        self.refresh()
        return s.suv.factor is not None
