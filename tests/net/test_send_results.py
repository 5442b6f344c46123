"""Our own results (SEG and SR written by io.export_seg / io.export_sr) sent to Orthanc and stored there."""

from __future__ import annotations

import numpy as np
import pydicom

from export_study import LESIONS, write_pet
from workstation.cli import main

SEG_CLASS = "1.2.840.10008.5.1.4.1.1.66.4"
SR_CLASSES = {"1.2.840.10008.5.1.4.1.1.88.22", "1.2.840.10008.5.1.4.1.1.88.33", "1.2.840.10008.5.1.4.1.1.88.34"}


def test_send_our_seg_and_sr_to_orthanc(orthanc, orthanc_node, tmp_path, capsys):
    from workstation.io.loader import load_pet_folder
    from workstation.net import scu
    from workstation.settings.nodes import load_nodes

    pet_paths, _, _ = write_pet(tmp_path / "pet")
    g = load_pet_folder(str(tmp_path / "pet")).geometry
    seeds = [",".join(f"{v:.2f}" for v in g.kji_to_world(np.array(c[::-1], float))) for c, _, _ in LESIONS]
    sr = tmp_path / "out" / "report.dcm"
    sr.parent.mkdir()
    rc = main(["export", "sr", str(tmp_path / "pet"), "--method", "pct:41", *[f"--seed={s}" for s in seeds],
               "--out", str(sr)])
    assert rc == 0, capsys.readouterr().err
    seg = tmp_path / "out" / "report-seg.dcm"
    assert seg.is_file()
    cfg = load_nodes()
    node = cfg.get("pacs")
    res = scu.store_files(node, cfg.local.ae_title, [*pet_paths, seg, sr])
    assert res.failed == 0 and res.completed == len(pet_paths) + 2, res.errors

    for path, classes in ((seg, {SEG_CLASS}), (sr, SR_CLASSES)):
        ours = pydicom.dcmread(path)
        assert str(ours.SOPClassUID) in classes
        hits = orthanc.rest("/tools/lookup", data=str(ours.SOPInstanceUID).encode(), method="POST")
        assert [h["Type"] for h in hits] == ["Instance"], hits
        tags = orthanc.rest(f"/instances/{hits[0]['ID']}/simplified-tags")
        assert tags["SOPClassUID"] == str(ours.SOPClassUID)
        assert tags["StudyInstanceUID"] == str(ours.StudyInstanceUID)
        # the stored object is ours, element for element (Orthanc keeps the file as sent)
        stored = orthanc.rest(f"/instances/{hits[0]['ID']}/file")
        back = pydicom.dcmread(__import__("io").BytesIO(stored))
        assert back == ours
    # the SEG and SR sit in the PET's study at Orthanc, next to the PET series
    study = pydicom.dcmread(pet_paths[0], stop_before_pixels=True).StudyInstanceUID
    hits = orthanc.rest("/tools/lookup", data=str(study).encode(), method="POST")
    series = orthanc.rest(f"/studies/{hits[0]['ID']}/series?expand")
    assert sorted(s["MainDicomTags"]["Modality"] for s in series) == ["PT", "SEG", "SR"]
