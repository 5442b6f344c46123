"""The PACS tab of the study browser against a real Orthanc: search, retrieve with progress, incoming queue."""

from __future__ import annotations

import os
import shutil
import threading

import pytest

from net_peers import WS_AET, make_study

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def test_search_and_retrieve_with_progress(qtbot, orthanc, orthanc_node, tmp_path):
    from workstation.io.db import StudyDB
    from workstation.net import scu
    from workstation.ui.browser.study_browser import StudyBrowser

    study_uid, files = make_study(tmp_path / "src", n_series=2, n_slices=30, size=64, patient_name="王^小红",
                                  patient_id="PACS-7", seed=31)
    assert scu.store_files(orthanc_node.get("pacs"), WS_AET, files).completed == 60
    db = StudyDB(tmp_path / "studies.sqlite")
    try:
        br = StudyBrowser(db)
        qtbot.addWidget(br)
        br.resize(1200, 800)
        br.show()
        br.tabs.setCurrentWidget(br.pacs)
        pacs = br.pacs
        assert pacs.node_box.count() == 1 and "ORTHANC" in pacs.node_box.itemText(0)
        assert br.tree.topLevelItemCount() == 0
        pacs.name_edit.setText("王*")
        job = pacs.search()
        qtbot.waitUntil(lambda: job.is_settled() and pacs.results.rowCount() == 1, timeout=30_000)
        assert pacs.results.item(0, 0).text() == "王, 小红"  # formatted as everywhere (issue 10)
        assert pacs.results.item(0, 5).text() == "60" and pacs.results.item(0, 6).text() == study_uid
        pacs.results.selectRow(0)
        fractions, shot = [], {}

        def on_progress(frac, msg):
            fractions.append(frac)
            if 0.3 < frac < 0.9 and "png" not in shot:
                shot["png"] = tmp_path / "pacs-retrieving.png"
                shot["bar_visible"] = not pacs.progress.isHidden()
                assert br.grab().save(str(shot["png"]))

        job = pacs.retrieve_selected()
        job.progressed.connect(on_progress)
        qtbot.waitUntil(lambda: job.is_settled(), timeout=120_000)
        qtbot.waitUntil(lambda: br.tree.topLevelItemCount() == 1, timeout=10_000)  # no restart needed
        assert pacs.status.text() == "Retrieved 60 instances from pacs"
        assert db.counts()["instances"] == 60
        assert fractions == sorted(fractions) and fractions[-1] == 1.0
        assert shot.get("bar_visible") and shot["png"].stat().st_size > 0
        assert pacs.progress.isHidden() and pacs.retrieve_button.isEnabled()
        assert "王, 小红" in br.tree.topLevelItem(0).text(0)
        # the identity switch hides the name in the results too
        br.set_anonymise(True)
        assert pacs.results.item(0, 0).text() == "(patient hidden)" and pacs.results.item(0, 1).text() == ""
        if os.environ.get("WORKSTATION_SCREENSHOT_DIR"):
            shutil.copy(shot["png"], os.environ["WORKSTATION_SCREENSHOT_DIR"])
    finally:
        db.close()


def test_incoming_queue_from_our_node(qtbot, orthanc, orthanc_node, node_factory, tmp_path):
    from workstation.io.db import StudyDB
    from workstation.net import scu
    from workstation.ui.browser.study_browser import StudyBrowser

    pacs_node = orthanc_node.get("pacs")
    study_uid, files = make_study(tmp_path / "src", n_series=1, n_slices=12, patient_id="INCOMING-1", seed=32)
    assert scu.store_files(pacs_node, WS_AET, files).completed == 12
    node = node_factory(port=orthanc.ws_port, allow=("ORTHANC@127.0.0.1",)).start()
    db = StudyDB(node.db_path)  # the viewer and the node share the database file (WAL)
    try:
        br = StudyBrowser(db)
        qtbot.addWidget(br)
        pacs = br.pacs
        pacs.timer.setInterval(200)
        pacs.id_edit.setText("INCOMING-1")
        job = pacs.search()
        qtbot.waitUntil(lambda: job.is_settled() and pacs.results.rowCount() == 1, timeout=30_000)
        t = threading.Thread(target=scu.move, args=(pacs_node, WS_AET, study_uid, WS_AET))
        t.start()
        t.join(120)
        qtbot.waitUntil(lambda: pacs.incoming.rowCount() == 1 and pacs.incoming.item(0, 1).text() == "12 of 12",
                        timeout=30_000)
        assert pacs.incoming.item(0, 0).text() == study_uid
        qtbot.waitUntil(lambda: br.tree.topLevelItemCount() == 1, timeout=10_000)
    finally:
        db.close()


def test_send_dialog_sends_the_selected_study(qtbot, orthanc, orthanc_node, tmp_path):
    from workstation.io.db import StudyDB
    from workstation.net import scu
    from workstation.ui.browser.study_browser import StudyBrowser

    study_uid, _ = make_study(tmp_path / "src", n_series=2, n_slices=5, patient_id="SEND-UI", seed=33)
    db = StudyDB(tmp_path / "studies.sqlite")
    try:
        db.import_paths([tmp_path / "src"])
        br = StudyBrowser(db)
        qtbot.addWidget(br)
        assert br.send_dialog() is None  # nothing selected
        br.tree.topLevelItem(0).setSelected(True)
        dlg = br.send_dialog()
        assert dlg.node_box.count() == 1 and len(dlg.files) == 10
        job = dlg.send()
        qtbot.waitUntil(lambda: job.is_settled(), timeout=60_000)
        assert dlg.status.text() == "Sent 10 of 10 to pacs"
        assert dlg.progress.value() == 1000
        found = scu.find(orthanc_node.get("pacs"), WS_AET, "STUDY", PatientID="SEND-UI")
        assert [f["StudyInstanceUID"] for f in found] == [study_uid]
        assert found[0]["NumberOfStudyRelatedInstances"] == "10"
        assert len(db.audit_rows(event="store-sent")) == 10
    finally:
        db.close()
