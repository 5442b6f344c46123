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

from PySide6.QtCore import QT_TRANSLATE_NOOP
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

from workstation.analysis.suv.factor import sex_assumed

FIELDS = (("weight_kg", QT_TRANSLATE_NOOP("SuvPanel", "Weight (kg)")), ("height_m", QT_TRANSLATE_NOOP("SuvPanel", "Height (m)")),
          ("sex", QT_TRANSLATE_NOOP("SuvPanel", "Sex (M/F)")), ("dose_bq", QT_TRANSLATE_NOOP("SuvPanel", "Injected dose (Bq)")),
          ("injection_datetime", QT_TRANSLATE_NOOP("SuvPanel", "Injection time (YYYY-MM-DDTHH:MM:SS)")),
          ("half_life_s", QT_TRANSLATE_NOOP("SuvPanel", "Half-life (s)")))
# the labels of core.vocabulary's SUV types, for the translation catalogue (tests check the list is complete)
SUV_TYPE_LABELS = (QT_TRANSLATE_NOOP("SuvPanel", "body weight"),
                   QT_TRANSLATE_NOOP("SuvPanel", "lean body mass (James, 128)"),
                   QT_TRANSLATE_NOOP("SuvPanel", "lean body mass (James, 120)"),
                   QT_TRANSLATE_NOOP("SuvPanel", "lean body mass (Janmahasatian)"),
                   QT_TRANSLATE_NOOP("SuvPanel", "body surface area"),
                   QT_TRANSLATE_NOOP("SuvPanel", "ideal body weight"))


def _suv_type_choices() -> tuple[tuple[str, str], ...]:
    """(engine key, label) of every SUV type of the one vocabulary: the panel offers exactly those."""
    from workstation.core.vocabulary import SUV_TYPE_LIST

    return tuple((t.key, t.label) for t in SUV_TYPE_LIST)


SUV_TYPES = _suv_type_choices()
MISSING_STYLE = "border: 2px solid #d33;"  # the form field of the input an error names
BADGE_STYLE = ("QPushButton { background: #e8a317; color: black; font-weight: bold; border-radius: 4px; "
               "padding: 2px 8px; }")


class SuvPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.session = None
        self.trail = QPlainTextEdit()
        self.trail.setReadOnly(True)
        self.type_box = QComboBox()
        for key, text in SUV_TYPES:
            self.type_box.addItem(f"SUV{key} ({self.tr(text)})", key)
        self.edits = {name: QLineEdit() for name, _ in FIELDS}
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("reason for the override (required)"))
        self.apply_button = QPushButton(self.tr("Apply"))
        self.apply_button.clicked.connect(self.apply)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.audit = QListWidget()
        # a badge, not only a line of the trail, when the SUV used the mean of male and female values
        self.sex_badge = QPushButton("")
        self.sex_badge.setObjectName("suv-sex-badge")
        self.sex_badge.setStyleSheet(BADGE_STYLE)
        self.sex_badge.setToolTip(self.tr("The patient's sex is unknown: this SUV type used the mean of the male and "
                                          "female values. Click to give the sex."))
        self.sex_badge.clicked.connect(lambda: self.mark_field("sex"))
        self.sex_badge.hide()
        self.flag_buttons: list = []  # buttons outside the panel (the toolbar's SUV button) that carry the badge too
        form = QFormLayout()
        form.addRow(self.tr("SUV type"), self.type_box)
        for name, label in FIELDS:
            form.addRow(self.tr(label), self.edits[name])
        form.addRow(self.tr("Reason"), self.reason)
        lay = QVBoxLayout(self)
        lay.addWidget(self.sex_badge)
        lay.addWidget(QLabel(self.tr("Provenance")))
        lay.addWidget(self.trail, 2)
        lay.addLayout(form)
        lay.addWidget(self.apply_button)
        lay.addWidget(self.message)
        lay.addWidget(QLabel(self.tr("Audit trail")))
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
        self.update_sex_badge()
        if s is None or s.pet is None:
            self.trail.setPlainText(self.tr("No PET loaded."))
            return
        if s.suv.result is not None:
            self.trail.setPlainText(s.suv.result.to_text())
        elif s.suv.factor is not None:
            self.trail.setPlainText(self.tr("PET stored as {}: factor 1").format(s.suv.units))
        else:
            self.trail.setPlainText(self.tr("SUV not available; PET shown in {}.").format(s.pet.units or self.tr("file units"))
                                   + f"\n{s.suv.error}")
        self.mark_field(getattr(s.suv, "error_field", None) if s.suv.factor is None else None)
        self.audit.clear()
        for entry in s.suv.audit:
            self.audit.addItem(f"{entry.get('time', '')} {entry.get('user', '')}: {entry.get('changes', '')} "
                               f"— {entry.get('reason', '')}")

    def update_sex_badge(self) -> None:
        """Show the unknown-sex badge when the current SUV used the mean of the male and female values."""
        s = self.session
        res = None if s is None or s.pet is None else s.suv.result
        got = sex_assumed(res)
        if got is None:
            self.sex_badge.hide()
            for b, text, tip in self.flag_buttons:
                b.setStyleSheet("")
                b.setText(text)
                b.setToolTip(tip)
            return
        what = self.tr("missing") if got == "missing" else got
        self.sex_badge.setText(self.tr("⚠ Sex unknown ({}): SUV{} uses the mean of male and female").format(
            what, res.suv_type))
        self.sex_badge.show()
        for b, text, _tip in self.flag_buttons:  # seen while reading, with the panel closed
            b.setStyleSheet(BADGE_STYLE)
            b.setText("⚠ " + text)
            b.setToolTip(self.sex_badge.text())

    def attach_flag_button(self, button) -> None:
        """Show the unknown-sex badge on ``button`` as well (amber, ⚠ before its text, the badge as tooltip)."""
        self.flag_buttons.append((button, button.text(), button.toolTip()))
        self.update_sex_badge()

    def mark_field(self, name: str | None) -> None:
        """Outline the form field of input ``name`` (the ``field`` of an SUV error) and clear the others."""
        for key, edit in self.edits.items():
            edit.setStyleSheet(MISSING_STYLE if key == name else "")
        if name in self.edits:
            self.edits[name].setFocus()

    def apply(self) -> bool:
        """Apply the SUV type and overrides; returns False (with a message) when refused."""
        from workstation.analysis.errors import SuvError
        from workstation.analysis.suv.inputs import SuvOverrides

        s = self.session
        if s is None or s.pet is None:
            return False
        values = {name: self.edits[name].text().strip() or None for name, _ in FIELDS}
        given = {k: v for k, v in values.items() if v is not None}
        reason = self.reason.text().strip()
        if given and not reason:
            self.message.setText(self.tr("An override needs a reason (it is written to the audit trail)."))
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
        applied = s.set_suv(suv_type, overrides, audit=entry)
        if not applied and s.suv.refusal:  # refused: the previous SUV type stays, and the reader is told why
            self.refresh()
            self.message.setText(self.tr("Refused: {}").format(s.suv.refusal))
            self.mark_field(s.suv.refusal_field)
            return False
        self.message.setText(self.tr("Applied.") if s.suv.factor is not None else
                             self.tr("SUV unavailable: {}").format(s.suv.error))
        self.refresh()
        return s.suv.factor is not None
