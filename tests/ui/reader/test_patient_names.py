"""Patient names decoded and formatted the same everywhere: browser, window title, view overlay, PACS results.

One function (``io.dicom_text.display_name``) turns the DICOM person name "演示^病人" into
"演示, 病人"; the studies are written in code in three character sets (GB18030, ISO 2022 IR 58
with its escape sequences, UTF-8), imported into a real study database and read by the window.
"""

import numpy as np
import pytest
from pydicom.uid import generate_uid

from workstation.io.db import StudyDB
from workstation.testing.dicom_factory import write_series
from workstation.ui.reader.main_window import MainWindow

pytestmark = [pytest.mark.gui]

NAMES = {"GB18030": ("演示^病人", "演示, 病人"),
         "ISO 2022 IR 58": ("王^小东", "王, 小东"),
         "ISO_IR 192": ("Wang^XiaoDong=王^小东", "Wang, XiaoDong = 王, 小东")}


def _charset(name):
    return ["", "ISO 2022 IR 58"] if name == "ISO 2022 IR 58" else name


@pytest.fixture
def name_db(tmp_path):
    folders = {}
    for n, (charset, (dicom_name, _)) in enumerate(NAMES.items()):
        root = tmp_path / "data" / f"s{n}"
        study, pid = generate_uid(), f"PID{n}"
        common = dict(study_uid=study, for_uid=f"1.2.3.{n}", patient_name=dicom_name, patient_id=pid,
                      charset=_charset(charset))
        write_series(root / "ct", np.full((4, 8, 8), 40, np.int16), origin=(-16, -16, -8), spacing_ijk=(4, 4, 4),
                     series_number=2, description="CT", **common)
        write_series(root / "pt", np.full((3, 6, 6), 100, np.int16), origin=(-18, -18, -9), spacing_ijk=(6, 6, 6),
                     modality="PT", series_number=10, description="PET", **common)
        raw = next((root / "ct").iterdir()).read_bytes()
        if charset != "ISO_IR 192":  # really written in that character set, not in UTF-8
            assert dicom_name.encode("utf-8") not in raw
        folders[charset] = root
    db = StudyDB(tmp_path / "studies.sqlite")
    db.import_paths([tmp_path / "data"])
    yield db, folders
    db.close()


def test_browser_lists_formatted_names_in_every_character_set(qtbot, name_db):
    db, _ = name_db
    win = MainWindow(db)
    qtbot.addWidget(win)
    br = win.browser
    br.refresh()
    shown = [br.tree.topLevelItem(i).text(0) for i in range(br.tree.topLevelItemCount())]
    assert len(shown) == 3
    for _, expected in NAMES.values():
        assert any(s.startswith(expected + "  [") for s in shown), (expected, shown)
    assert not any("^" in s or "\x1b" in s for s in shown)


@pytest.mark.parametrize("charset", list(NAMES), ids=["gb18030", "iso2022-ir58", "utf8"])
def test_title_and_overlay_show_the_same_formatted_name(qtbot, name_db, charset):
    db, folders = name_db
    expected = NAMES[charset][1]
    win = MainWindow(db)
    qtbot.addWidget(win)
    win.load_folder(str(folders[charset]))
    qtbot.waitUntil(lambda: win.session is not None, timeout=120_000)
    assert win.windowTitle().startswith(expected + " — ")
    assert win.session.overlay_lines()[0] == expected
    win.anon_check.setChecked(True)  # hidden everywhere when anonymised
    assert expected not in win.windowTitle() and "^" not in win.windowTitle()
    assert expected not in win.session.overlay_lines()[0]


def test_pacs_results_use_the_same_formatting(qtbot):
    from workstation.ui.browser.pacs_panel import PacsPanel

    panel = PacsPanel(None)
    qtbot.addWidget(panel)
    panel.show_results([{"PatientName": "演示^病人", "PatientID": "X1", "StudyInstanceUID": "1.2"}])
    assert panel.results.item(0, 0).text() == "演示, 病人"
