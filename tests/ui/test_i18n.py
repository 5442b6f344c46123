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
from PySide6.QtWidgets import (QAbstractButton, QComboBox, QDockWidget, QGroupBox, QLabel, QLineEdit,
                               QMenu, QTableWidget, QTabWidget, QTreeWidget, QWidget)

from workstation.ui import i18n

pytestmark = [pytest.mark.gui]

REPO = Path(__file__).resolve().parents[2]
TS = REPO / "resources" / "i18n" / "workstation_zh_CN.ts"
# words that stay as they are in the Chinese interface: modality codes, quantities, units, tags, letters
KEEP = {"PET", "CT", "MR", "SUV", "SUVmax", "SUVpeak", "SUVmean", "MTV", "TLG", "MIP", "VOI", "PERCIST", "EARL",
        "NEMA", "DICOM", "DICOMDIR", "FoR", "mL", "mm", "MBq", "Bq", "kg", "HU", "LPS", "PETSIRD", "OSEM", "TOF",
        "SUVbw", "SUVlbm", "SUVbsa", "SUVibw", "Deauville", "EORTC", "QIBA", "RTSTRUCT", "SEG", "SR", "RWVM", "PDF",
        "CSV", "PACS", "AET", "SCP", "SCU", "DICOMweb", "Orthanc", "A50", "YYYY", "MM", "DD", "HH", "SS", "English",
        "PT", "NM", "ID", "UID", "Bq/mL", "GML", "BQML", "PET/CT", "M/F", "DDTHH", "YYYYMMDD",
        # proper names: the authors of the lean-body-mass formulas, the registration metric's author
        "James", "Janmahasatian", "Mattes",
        # column codes of the QA and follow-up tables (NEMA NU 2 symbols, quantities)
        "RCmax", "RCA50", "RCpeak", "SULpeak", "QIBA", "Q_H", "Q_C", "CoV", "NU",
        "kBq/mL", "IEC", "EARL1", "EARL2"}


def lupdate() -> str | None:
    exe = Path(sys.executable).with_name("pyside6-lupdate")
    return str(exe) if exe.exists() else shutil.which("pyside6-lupdate")


def test_catalogue_has_a_finished_translation_for_every_marked_string(tmp_path):
    tool = lupdate()
    if tool is None:
        pytest.skip("pyside6-lupdate not found (PySide6-Essentials ships it)")
    fresh = tmp_path / "check_zh_CN.ts"
    shutil.copy(TS, fresh)
    sources = sorted(str(p) for p in (REPO / "workstation" / "ui").rglob("*.py"))
    subprocess.run([tool, "-no-obsolete", *sources, "-ts", str(fresh)], check=True, capture_output=True)
    missing = []
    for msg in ET.parse(fresh).iter("message"):
        tr = msg.find("translation")
        if tr.get("type") == "unfinished" or not (tr.text or "").strip():
            missing.append(msg.find("source").text)
    assert not missing, f"untranslated in {TS.name} (run `make i18n-update` and translate): {missing}"


def test_named_items_cover_the_vocabularies():
    from workstation.core.display import COLORMAPS, CT_PRESETS, HOTSPOT_PRESET, LAYOUTS, MR_PRESETS, PET_PRESETS

    assert set(i18n.NAMES) == {*LAYOUTS, *CT_PRESETS, *MR_PRESETS, *PET_PRESETS, "custom", HOTSPOT_PRESET, *COLORMAPS}


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
        elif isinstance(w, QTabWidget):
            out += [w.tabText(i) for i in range(w.count())]
        elif isinstance(w, QTableWidget):
            out += [w.horizontalHeaderItem(i).text() for i in range(w.columnCount()) if w.horizontalHeaderItem(i)]
    return [t for t in out if t]


def english_words(text: str) -> set[str]:
    # a command line quoted in `backticks` is the CLI, which stays English; an SUV type code
    # (SUVlbm-james128) is an identifier
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\bSUV\w*-\w+", " ", text)
    words = set(re.findall(r"[A-Za-z][A-Za-z/_]*[A-Za-z0-9]|[A-Za-z]", text))
    return {w for w in words if w not in KEEP and len(w) > 1 and not re.fullmatch(r"SUV\w*|[A-Z]{1,3}\d*", w)}


def test_main_window_in_chinese_shows_no_english_word(chinese, qtbot):
    from workstation.ui.reader.main_window import MainWindow

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
    from workstation.ui.reader.main_window import MainWindow

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
    from workstation.ui.recon.panel import ReconPanel

    panel = ReconPanel(ct_provider=lambda: None, db=None)
    qtbot.addWidget(panel)
    # what a plugin's manifest says (its name, description, parameter labels and choices) is the plugin's
    # own text, shown as the plugin wrote it; everything else is ours and must be translated
    plugin_text = set()
    for m in panel.registry.plugins.values():
        plugin_text |= {m.name, m.description}
        for p in m.parameters:
            plugin_text |= {p.name, p.label, p.description, *map(str, p.choices)}
    # a broken plugin is listed by its name with the host's reason (the recon layer's English, as in the log)
    broken = [b.name for b in panel.registry.broken]
    left = {t: english_words(t) for t in visible_texts(panel)
            if english_words(t) and t not in plugin_text and not any(t.startswith(f"{n} (") for n in plugin_text)
            and not any(t.startswith(n) for n in broken)}
    assert not left, f"English left in the Chinese reconstruction panel: {left}"


def test_main_window_menus_and_pacs_tab_are_checked(chinese, qtbot):
    """The structure test above really sees the reading/export menus and the PACS tab (in Chinese)."""
    from workstation.ui.reader.main_window import MainWindow

    win = MainWindow(db=None)
    qtbot.addWidget(win)
    texts = visible_texts(win)
    assert "阅片(&R)" in texts and "导出(&E)" in texts
    assert "DICOM SR 测量报告…" in texts and "PDF 报告…" in texts
    assert "本地" in texts and "PACS" in texts  # the browser's tabs
    assert "患者姓名" in texts and "检查 UID" in texts  # the PACS tab: search form and results table
    assert "发送到节点…" in texts and "扫描仪对位" in texts and "质控…" in texts
    # the words stay identities: the export kinds are keys, not labels
    assert set(win.persistence.export_actions) == {"seg", "sr", "rwvm", "sc", "pdf", "all"}
    # the session's registration note: fixed notes translated for display, recorded ones with numbers as they are
    from workstation.analysis.reading import study_open

    assert win._note(study_open.METHOD_NUDGE) == "手动微调" and win._note(study_open.METHOD_MI) == "刚性互信息配准"
    assert win._note("stored rigid MI of 2026-01-02 (version 3)") == "stored rigid MI of 2026-01-02 (version 3)"


def test_qa_panel_in_chinese_shows_no_english_word(chinese, qtbot):
    from workstation.ui.qa.panel import QaPanel

    panel = QaPanel()
    qtbot.addWidget(panel)
    texts = visible_texts(panel)
    left = {t: english_words(t) for t in texts if english_words(t)}
    assert not left, f"English left in the Chinese QA panel: {left}"
    assert panel.windowTitle() == "物理师质控：NEMA IQ"
    # the NU 2 edition is the item's data: "auto" is shown translated, the analysis gets "auto"
    assert panel.edition_box.itemText(0) == "自动" and panel.edition_box.itemData(0) == "auto"
    assert [panel.edition_box.itemData(i) for i in range(panel.edition_box.count())] == ["auto", "2018", "2012"]


def _proposal(same_frame: bool, warnings: list):
    from workstation.analysis.registration.rigid import INIT_IDENTITY, RegistrationProposal

    after = np.eye(4)
    after[:3, 3] = (12.0, -3.0, 4.0)
    return RegistrationProposal(before=np.eye(4), after=after, metric_before=-0.41, metric_after=-0.52,
                                move_mm=float(np.linalg.norm(after[:3, 3])), rotation_deg=0.0,
                                pet_centre=np.zeros(3), same_frame=same_frame, initialisation=INIT_IDENTITY,
                                warnings=warnings)


def test_registration_dialog_in_chinese_shows_no_english_word(chinese, qtbot):
    from workstation.ui.reader.registration_dialog import RegistrationDialog

    img = np.linspace(0.0, 1.0, 16 * 16).reshape(16, 16)
    preview = {"before": img, "after": img.T, "blend_before": img, "blend_after": img.T}
    # a large move of a pair sharing a frame of reference: the confirmation box is shown too
    prop = _proposal(True, ["the metric did not improve; keep the current alignment"])
    assert prop.needs_confirmation
    dlg = RegistrationDialog(prop, preview)
    qtbot.addWidget(dlg)
    texts = visible_texts(dlg) + [dlg.confirm_check.text()]
    left = {t: english_words(t) for t in texts if english_words(t)}
    assert not left, f"English left in the Chinese registration dialog: {left}"
    # numbers stay as they are, inside the Chinese sentences
    assert f"{prop.move_mm:.1f} mm" in dlg.summary_label.text() and "-0.4100 → -0.5200" in dlg.summary_label.text()
    assert "Mattes 互信息" in dlg.summary_label.text() and "共用参考坐标系" in dlg.summary_label.text()
    assert dlg.warning_label.text() == "相似性度量未改善；请保持当前对位"


@pytest.mark.slow
def test_followup_window_in_chinese_shows_no_english_word(chinese, qtbot, followup_reading):
    import copy

    from workstation.ui.followup.window import FollowupWindow

    rd = copy.copy(followup_reading[0])
    rd.matches, rd.names = list(rd.matches), dict(rd.names)
    w = FollowupWindow(rd)
    qtbot.addWidget(w)
    # lesion names (the reader's own words or keys such as L1/N1) and the response categories
    # (PMD, PR ...: codes) are data; every other visible word must be Chinese
    names = {r.name for r in rd.rows()}
    texts = [t for t in visible_texts(w) if t not in names]
    texts += [w.table.item(n, c).text() for n in range(w.table.rowCount()) for c in (1, 12)]
    left = {t: english_words(t) for t in texts if english_words(t)}
    assert not left, f"English left in the Chinese follow-up window: {left}"
    statuses = sorted(w.table.item(n, 1).text() for n in range(w.table.rowCount()))
    assert set(statuses) <= {"已匹配", "消失", "新发"} and "已匹配" in statuses
    w.close()
