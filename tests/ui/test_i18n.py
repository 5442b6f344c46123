"""The viewer in Chinese and English: Qt's translation system, complete catalogues, CJK glyphs drawn.

* The catalogue in resources/i18n is complete: every string marked for translation in ui/ (what
  pyside6-lupdate extracts from the sources now) has a finished Chinese translation.
* The main window, its docks and dialogs built under the zh_CN catalogue show no English word except
  the names that stay as they are (modalities, SUV/MTV/TLG, units, tag names).
* Chinese text is drawn with real glyphs, not the boxes of a missing font.
* Named items keep their identity as data while showing translated labels; core.texts follows the
  installed catalogue (view titles drawn by render).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (QAbstractButton, QApplication, QComboBox, QDockWidget, QGroupBox, QLabel, QLineEdit,
                               QMenu, QTreeWidget, QWidget)

from workstation.ui import i18n

pytestmark = [pytest.mark.gui]

REPO = Path(__file__).resolve().parents[2]
TS = REPO / "resources" / "i18n" / "workstation_zh_CN.ts"
# words that stay as they are in the Chinese interface: modality codes, quantities, units, tags, letters
KEEP = {"PET", "CT", "MR", "SUV", "SUVmax", "SUVpeak", "SUVmean", "MTV", "TLG", "MIP", "VOI", "PERCIST", "EARL",
        "NEMA", "DICOM", "DICOMDIR", "FoR", "mL", "mm", "MBq", "Bq", "kg", "HU", "LPS", "PETSIRD", "OSEM", "TOF",
        "SUVbw", "SUVlbm", "SUVbsa", "SUVibw", "Deauville", "EORTC", "QIBA", "RTSTRUCT", "SEG", "SR", "RWVM", "PDF",
        "CSV", "PACS", "AET", "SCP", "SCU", "DICOMweb", "Orthanc", "A50", "YYYY", "MM", "DD", "HH", "SS", "English",
        "PT", "NM", "ID", "UID", "Bq/mL", "GML", "BQML", "PET/CT", "M/F", "DDTHH"}


def lupdate() -> str | None:
    exe = Path(sys.executable).with_name("pyside6-lupdate")
    return str(exe) if exe.exists() else shutil.which("pyside6-lupdate")


def test_catalogue_has_a_finished_translation_for_every_marked_string(tmp_path):
    tool = lupdate()
    if tool is None:
        pytest.skip("pyside6-lupdate not found (PySide6-Essentials ships it)")
    fresh = tmp_path / "check_zh_CN.ts"
    shutil.copy(TS, fresh)
    sources = sorted(str(p) for p in (REPO / "workstation" / "ui").glob("*.py"))
    subprocess.run([tool, "-no-obsolete", *sources, "-ts", str(fresh)], check=True, capture_output=True)
    missing = []
    for msg in ET.parse(fresh).iter("message"):
        tr = msg.find("translation")
        if tr.get("type") == "unfinished" or not (tr.text or "").strip():
            missing.append(msg.find("source").text)
    assert not missing, f"untranslated in {TS.name} (run `make i18n-update` and translate): {missing}"


def test_named_items_cover_the_vocabularies():
    from workstation.core.display import COLORMAPS, CT_PRESETS, LAYOUTS, MR_PRESETS, PET_PRESETS

    assert set(i18n.NAMES) == {*LAYOUTS, *CT_PRESETS, *MR_PRESETS, *PET_PRESETS, "custom", *COLORMAPS}


@pytest.fixture
def chinese(qapp, tmp_path):
    """The zh_CN catalogue installed for one test, then English again (other tests expect English)."""
    if not i18n.catalogue_path("zh_CN").exists():
        pytest.fail(f"{i18n.catalogue_path('zh_CN')} missing: `make translations` builds it")
    assert i18n.install(qapp, "zh_CN", strict=True) == "zh_CN"
    yield qapp
    i18n.install(qapp, "en")


def visible_texts(root: QWidget) -> list[str]:
    out = [root.windowTitle()]
    for w in root.findChildren(QWidget):
        if isinstance(w, QLabel):
            out.append(w.text())
        elif isinstance(w, QAbstractButton):
            out += [w.text(), w.toolTip()]
        elif isinstance(w, QComboBox):
            out += [w.itemText(i) for i in range(w.count())]
        elif isinstance(w, QGroupBox):
            out.append(w.title())
        elif isinstance(w, QDockWidget):
            out.append(w.windowTitle())
        elif isinstance(w, QLineEdit):
            out.append(w.placeholderText())
        elif isinstance(w, QTreeWidget):
            h = w.headerItem()
            out += [h.text(i) for i in range(h.columnCount())]
        elif isinstance(w, QMenu):
            out += [w.title()] + [a.text() for a in w.actions()]
    return [t for t in out if t]


def english_words(text: str) -> set[str]:
    words = set(re.findall(r"[A-Za-z][A-Za-z/]*[A-Za-z]|[A-Za-z]", text))
    return {w for w in words if w not in KEEP and len(w) > 1 and not re.fullmatch(r"SUV\w*|[A-Z]{1,3}\d*", w)}


def test_main_window_in_chinese_shows_no_english_word(chinese, qtbot):
    from workstation.ui.main_window import MainWindow

    win = MainWindow(db=None)
    qtbot.addWidget(win)
    texts = visible_texts(win)
    left = {t: english_words(t) for t in texts if english_words(t)}
    assert not left, f"English left in the Chinese main window: {left}"
    assert win.windowTitle() == "PET/CT 工作站"
    # named items: shown translated, the name stays the data the slots receive
    i = win.layout_box.findData("grid")
    assert i >= 0 and win.layout_box.itemText(i) == "网格"
    assert win.cmap_box.itemText(win.cmap_box.findData("hot iron")) == "热铁"


def test_english_is_the_source(qapp, qtbot):
    from workstation.ui.main_window import MainWindow

    i18n.install(qapp, "en")
    win = MainWindow(db=None)
    qtbot.addWidget(win)
    assert win.windowTitle() == "PET/CT workstation"
    assert win.layout_box.itemText(win.layout_box.findData("fused-mip")) == "fused-mip"


def test_view_words_follow_the_catalogue(chinese):
    from workstation.core import texts

    assert texts.tr("render", "coronal") == "冠状位"
    assert texts.tr("overlay", "(patient hidden)") == "（患者信息已隐藏）"
    i18n.install(chinese, "en")
    assert texts.tr("render", "coronal") == "coronal"


def _render(text: str, font_px: int = 28) -> np.ndarray:
    label = QLabel(text)
    f = label.font()
    f.setPixelSize(font_px)
    label.setFont(f)
    label.setStyleSheet("background: white; color: black")
    label.resize(label.sizeHint())
    img = label.grab().toImage().convertToFormat(label.grab().toImage().Format.Format_Grayscale8)
    arr = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())[:, : img.width()]
    return arr.copy()


def _ink(a: np.ndarray) -> np.ndarray:
    """The inked columns' bitmap, cropped (so that equal glyph sequences compare equal)."""
    mask = a < 128
    rows, cols = np.where(mask)
    return mask[rows.min():rows.max() + 1, cols.min():cols.max() + 1] if rows.size else mask[:0, :0]


def test_chinese_glyphs_are_drawn_not_boxes(chinese, qtbot):
    a, b = _ink(_render("标准")), _ink(_render("摄取"))
    tofu = _ink(_render("\U000F0000\U000F0001"))  # private-use code points: no font has them -> boxes
    assert a.size and b.size, "nothing drawn"
    # a missing font draws the same box for every character: two different words would look the same
    assert a.shape != b.shape or (a != b).mean() > 0.05
    assert a.shape != tofu.shape or (a != tofu).mean() > 0.05
    # real CJK glyphs have many strokes: far more ink transitions along rows than a hollow box
    transitions = np.abs(np.diff(a.astype(int), axis=1)).sum()
    box_transitions = np.abs(np.diff(tofu.astype(int), axis=1)).sum() if tofu.size else 0
    assert transitions > 1.5 * max(box_transitions, 1)


def test_language_choice_is_saved_for_the_next_start(qapp, tmp_path):
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    try:
        i18n.save_language("zh_CN")
        assert i18n.choose_language() == "zh_CN"
        assert i18n.choose_language("en") == "en"  # an explicit --lang wins
        with pytest.raises(i18n.LanguageError):
            i18n.choose_language("fr")
        i18n.save_language("en")
        assert i18n.choose_language() == "en"
    finally:
        QSettings().remove(i18n.SETTINGS_KEY)


def test_panels_in_chinese_show_no_english_word(chinese, qtbot):
    from workstation.ui.recon_panel import ReconPanel

    panel = ReconPanel(ct_provider=lambda: None, db=None)
    qtbot.addWidget(panel)
    # what a plugin's manifest says (its name, description, parameter labels and choices) is the plugin's
    # own text, shown as the plugin wrote it; everything else is ours and must be translated
    plugin_text = set()
    for m in panel.registry.plugins.values():
        plugin_text |= {m.name, m.description}
        for p in m.parameters:
            plugin_text |= {p.name, p.label, p.description, *map(str, p.choices)}
    left = {t: english_words(t) for t in visible_texts(panel)
            if english_words(t) and t not in plugin_text and not any(t.startswith(f"{n} (") for n in plugin_text)}
    assert not left, f"English left in the Chinese reconstruction panel: {left}"
