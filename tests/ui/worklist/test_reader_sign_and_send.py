"""Export › Sign and send… in the reader: refused unless this reader holds the study on the worklist; then the
reading is exported on a worker thread and the dialog opens with the PDF, the SR and the key images; signing
records version 1 and queues it back to the study's origin."""

from __future__ import annotations

import numpy as np
import pytest

from export_study import write_pet

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def test_sign_and_send_from_the_reader(qtbot, tmp_path):
    from workstation.io.db import StudyDB
    from workstation.settings.nodes import LocalNode, Node, NodeConfig, save_nodes
    from workstation.ui.reader.main_window import MainWindow

    save_nodes(NodeConfig(LocalNode(ae_title="HUB"), [Node("spoke", "SPOKE", "127.0.0.1", 9)]))
    write_pet(tmp_path / "pet")
    db = StudyDB(tmp_path / "db.sqlite")
    db.import_paths([tmp_path / "pet"])
    try:
        w = MainWindow(db=db)
        qtbot.addWidget(w)
        w.resize(900, 700)
        w.show()
        w.load_folder(str(tmp_path / "pet"))
        qtbot.waitUntil(lambda: w.session is not None, timeout=240_000)
        if w.persistence.restore_prompt is not None:
            w.persistence.discard_button.click()
        hook = w.sign_and_send
        assert hook.action in [a for m in w.menuBar().actions() if m.menu() for a in m.menu().actions()]
        uid = w.session.pet.study_uid
        assert hook.start() is None and "not on the worklist" in w.message_label.text()
        db.worklist_add(uid, "SPOKE")
        db.worklist_claim(uid, "someone_else")
        assert hook.start() is None and "Worklist tab first" in w.message_label.text()
        panel = w.browser.worklist
        db.worklist_claim(uid, panel.reader, take_over=True)
        g = w.session.pet.geometry
        w.voi_panel.model.add_sphere(g.kji_to_world(np.array([8.0, 10.0, 8.0])), 7.0, name="lesion")
        job = hook.start()
        qtbot.waitUntil(lambda: hook.dialog is not None, timeout=180_000)
        dlg = hook.dialog
        assert dlg.pdf_edit.text().endswith("report.pdf")
        names = sorted(dlg.attachments.item(i).text().rsplit("/", 1)[-1] for i in range(dlg.attachments.count()))
        assert names == ["key-lesion-1.dcm", "key-mip.dcm", "sr.dcm"]
        assert dlg.sign_and_send()
        assert [v.version for v in db.report_versions(uid)] == [1]
        sr = next(dlg.attachments.item(i).text() for i in range(dlg.attachments.count())
                  if dlg.attachments.item(i).text().endswith("sr.dcm"))
        import pydicom

        assert db.report_versions(uid)[0].sr_uid == str(pydicom.dcmread(sr, stop_before_pixels=True).SOPInstanceUID)
        (j,) = panel.outbox.jobs()
        assert (j.destination, j.n_items, j.label) == ("spoke", 4, "report v1")
        assert not job.is_running()
        w.close()
    finally:
        db.close()
