"""The Worklist tab: rows from the study database (urgent first), the reader's lock and its visible owner,
"Sign and send" (a signed version queued back), and the outgoing queue view showing the job's state."""

from __future__ import annotations

import io

import numpy as np
import pytest
from pydicom.uid import generate_uid

pytestmark = pytest.mark.gui


def _pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, "Impression: no FDG-avid lesion.")
    c.save()
    return buf.getvalue()


@pytest.fixture
def hub(tmp_path):
    from workstation.io.db import StudyDB
    from workstation.io.store import ManagedStore
    from workstation.net.outbox import Outbox
    from workstation.settings.nodes import Node
    from workstation.testing.dicom_factory import write_series

    db = StudyDB(tmp_path / "db.sqlite")
    store = ManagedStore(tmp_path / "store", db)
    uids = []
    for n, (origin, prio) in enumerate((("SPOKE_A", "routine"), ("SPOKE_B", "stat"), ("SPOKE_A", "urgent"))):
        uid = generate_uid()
        write_series(tmp_path / f"s{n}", np.zeros((2, 4, 4), np.int16), origin=(0, 0, 0), spacing_ijk=(1, 1, 1),
                     modality="PT", study_uid=uid)
        db.import_paths([tmp_path / f"s{n}"])
        db.worklist_add(uid, origin, priority=prio, modality="PT", tracer="FDG", arrived=f"2026-12-06T10:0{n}:00")
        uids.append(uid)
    # the spoke is down: the job waits to be retried, visibly
    ob = Outbox(tmp_path / "outbox.sqlite", nodes={"a": Node("a", "SPOKE_A", "127.0.0.1", 9)}, calling_aet="HUB",
                base_delay=30)
    yield db, store, ob, uids
    ob.close()
    store.close()
    db.close()


def test_worklist_lock_sign_and_queue(qtbot, hub, tmp_path):
    from workstation.ui.worklist.panel import WorklistPanel

    db, store, ob, (routine, stat, urgent) = hub
    panel = WorklistPanel(db, store, ob, reader="dr_li", poll_ms=0)
    qtbot.addWidget(panel)
    panel.resize(1300, 700)
    panel.show()
    assert [panel.table.item(r, 8).text() for r in range(3)] == [stat, urgent, routine]
    assert panel.table.item(0, 1).text() == "TEST, PATIENT"  # TEST^PATIENT shown as everywhere
    assert [panel.table.item(r, 0).text() for r in range(3)] == ["stat", "urgent", "routine"]
    # another reader holds the urgent study: we are told who
    db.worklist_claim(urgent, "dr_wang")
    panel.refresh()
    assert panel.select_study(urgent) and not panel.claim_selected()
    assert "dr_wang" in panel.message.text()
    assert panel.table.item(1, 7).text().startswith("dr_wang")
    # the routine study: ours to read, then sign and send
    assert panel.select_study(routine)
    with qtbot.waitSignal(panel.open_requested) as sig:
        assert panel.claim_selected()
    assert sig.args == [routine]
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(_pdf())
    dlg = panel.sign_dialog(pdf=str(pdf))
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.grab().save(str(tmp_path / "sign-dialog.png"))
    assert dlg.sign_and_send()
    assert db.worklist_entry(routine).status == "reported" and db.report_versions(routine)[0].reader == "dr_li"
    ob.run_once()
    panel.refresh()
    panel.queue.refresh()
    q = panel.queue.table
    assert q.rowCount() == 1 and q.item(0, 1).text() == "a" and q.item(0, 4).text() == "waiting to retry"
    assert q.item(0, 5).text() == "0/1" and "could not be reached" in q.item(0, 9).text()  # the reason is shown
    assert "1 waiting" in panel.queue.status.text()
    panel.anonymise = True
    panel.refresh()
    assert panel.table.item(0, 1).text() == "(patient hidden)"
    png = tmp_path / "worklist.png"
    assert panel.grab().save(str(png))
    import os

    if os.environ.get("WORKSTATION_SCREENSHOT_DIR"):
        import shutil

        shutil.copy(png, os.path.join(os.environ["WORKSTATION_SCREENSHOT_DIR"], "worklist-tab.png"))
        shutil.copy(tmp_path / "sign-dialog.png", os.path.join(os.environ["WORKSTATION_SCREENSHOT_DIR"],
                                                                "sign-and-send.png"))
