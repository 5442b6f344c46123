"""DICOM exports (SEG, SR TID 1500, RWVM, secondary capture): dciodvfy-clean and exact round trips.

The study is synthetic (tests/export_study.py): two lesions, per-slice rescale slopes, shuffled
files; a second copy has a flipped direction. Expected values come from the lesion measurement
(``analysis.reading.measure``) and, independently, from the stored pixels read with pydicom.
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pydicom
import pytest

from export_study import LESIONS, write_pet
from workstation.analysis.lesions.findings import export, measure, measurement_set, segments
from workstation.analysis.suv.factor import compute_suv
from workstation.io.export_common import ExportError, source_headers_for
from workstation.io.export_rwvm import read_rwvm
from workstation.io.export_seg import build_seg, lesion_colour, read_segments
from workstation.io.export_sr import read_measurements
from workstation.io.loader import load_pet_folder

DIRECTIONS = {"identity": np.eye(3), "flipped": np.diag([1.0, -1.0, -1.0])}


@pytest.fixture(scope="module", params=sorted(DIRECTIONS))
def study(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(f"export-{request.param}")
    paths, bqml, direction = write_pet(root / "pet", DIRECTIONS[request.param])
    pet = load_pet_folder(str(root / "pet"))
    res = compute_suv(pet.pet, "bw")
    liver = pet.geometry.kji_to_world(np.array([4.0, 26.0, 4.0]))
    bp = pet.geometry.kji_to_world(np.array([15.0, 5.0, 24.0]))
    reading = measure(pet, res, "fixed:2.5", liver_world=liver, blood_pool_world=bp)
    out = root / "out"
    out.mkdir()
    files = {}
    for kind in ("seg", "sr", "rwvm", "sc"):
        for p in export(reading, kind, out / f"{kind}.dcm"):
            files[p.name] = p
    return {"reading": reading, "files": files, "root": root, "pet_dir": root / "pet"}


def _world_points(mask, geometry):
    pts = geometry.kji_to_world(np.argwhere(mask).astype(float))
    return pts[np.lexsort(np.round(pts, 3).T)]


def test_two_lesions_found(study):
    r = study["reading"]
    assert len(r.lesions) == len(LESIONS)
    assert r.liver is not None and r.blood_pool is not None and set(r.deauville) == {1, 2}


@pytest.mark.parametrize("name", ["seg.dcm", "sr.dcm", "sr-seg.dcm", "rwvm.dcm", "sc-mip.dcm", "sc-lesion-1.dcm"])
def test_dciodvfy_reports_no_error(study, name):
    if shutil.which("dciodvfy") is None:
        pytest.skip("dciodvfy (Debian package dicom3tools) is not installed")
    r = subprocess.run(["dciodvfy", str(study["files"][name])], capture_output=True, text=True)
    errors = [line for line in (r.stdout + r.stderr).splitlines() if line.startswith("Error")]
    assert not errors, errors


def test_seg_round_trip_same_masks_in_world(study):
    r = study["reading"]
    segs = read_segments(study["files"]["seg.dcm"])
    assert [s.label for s in segs] == ["Lesion 1", "Lesion 2", "Liver reference", "Blood pool reference"]
    for s, spec in zip(segs, segments(r)):
        assert s.mask.sum() == spec.mask.sum() > 0
        # same voxels at the same world positions, whatever axis order / signs the reader chose
        assert np.allclose(_world_points(s.mask, s.geometry), _world_points(spec.mask, r.pet.geometry), atol=1e-3)
    assert segs[0].kind == "lesion" and segs[2].kind == "liver"
    assert np.allclose(segs[0].colour, lesion_colour(1), atol=2)
    ds = pydicom.dcmread(study["files"]["seg.dcm"])
    refs = {str(x.ReferencedSeriesSequence[0].SeriesInstanceUID) for x in [ds]} if "ReferencedSeriesSequence" in ds \
        else set()
    assert r.pet.series_uid in refs
    assert ds.SegmentationType == "BINARY"
    regions = [str(x.AnatomicRegionSequence[0].CodeMeaning) if "AnatomicRegionSequence" in x else None
               for x in ds.SegmentSequence]
    assert regions == [None, None, "Liver", "Descending aorta"]


def test_seg_read_by_hand_parser_too(study):
    """The older hand parser (io.masks) agrees on the union of segments."""
    from workstation.io.masks import read_mask

    r = study["reading"]
    mask, geom = read_mask(study["files"]["seg.dcm"], 1)
    assert np.allclose(_world_points(mask, geom), _world_points(r.report.labels == 1, r.pet.geometry), atol=1e-3)


def test_sr_round_trip_values(study):
    r = study["reading"]
    groups = read_measurements(study["files"]["sr.dcm"])
    seg_uid = pydicom.dcmread(study["files"]["sr-seg.dcm"]).SOPInstanceUID
    assert [g["tracking_id"] for g in groups] == ["Lesion 1", "Lesion 2", "Liver reference", "Blood pool reference"]
    for g, les in zip(groups, r.lesions):
        assert g["seg_sop_instance_uid"] == seg_uid and g["segment_number"] == les.label
        m = {(x["name"], x["derivation"]): x for x in g["measurements"]}
        assert m[("SUVbw", "Maximum")]["value"] == pytest.approx(les.suvmax, rel=1e-9)
        assert m[("SUVbw", "Maximum")]["unit"] == "{SUVbw}g/ml"
        assert m[("SUVbw", "Peak Value Within ROI")]["value"] == pytest.approx(les.suvpeak, rel=1e-9)
        assert m[("SUVbw", "Mean")]["value"] == pytest.approx(les.suvmean, rel=1e-9)
        assert m[("Volume", None)]["value"] == pytest.approx(les.mtv_ml, rel=1e-9)
        assert m[("Volume", None)]["method"] == "Sum of segmented voxel method for volume"
        assert m[("Total Lesion Glycolysis", None)]["value"] == pytest.approx(les.tlg, rel=1e-9)
        assert g["evaluations"][0]["value"] == f"Deauville score {r.deauville[les.label]}"
    liver = {(x["name"], x["derivation"]): x["value"] for x in groups[2]["measurements"]}
    assert liver[("SUVbw", "Mean")] == pytest.approx(r.liver.mean, rel=1e-9)
    assert groups[2]["finding_type"]["meaning"] == "Liver"
    # every group, the reference regions too, points at its own segment of the SEG (numbers read from the SEG file)
    seg_ds = pydicom.dcmread(study["files"]["sr-seg.dcm"])
    number_of = {str(x.SegmentLabel): int(x.SegmentNumber) for x in seg_ds.SegmentSequence}
    for g in groups:
        assert g["seg_sop_instance_uid"] == seg_uid
        assert g["segment_number"] == number_of[g["tracking_id"]], (g["tracking_id"], g["segment_number"])
    assert len({g["segment_number"] for g in groups}) == len(groups)
    # method and parameters travel with every measurement
    ds = pydicom.dcmread(study["files"]["sr.dcm"])
    texts = [e.value for e in ds.iterall() if e.keyword == "TextValue"]
    assert "method = fixed:2.5" in texts and "threshold SUV = 2.500" in texts and "SUV type = bw" in texts


def _suv_from_rwvm(study):
    """SUV volume on the PET grid from stored pixels (pydicom) × the RWVM mapping, placed by position."""
    r = study["reading"]
    maps = read_rwvm(study["files"]["rwvm.dcm"])
    g = r.pet.geometry
    out = np.full(g.shape, np.nan)
    for f in sorted(study["pet_dir"].iterdir()):
        ds = pydicom.dcmread(f)
        slope, intercept, unit = maps[str(ds.SOPInstanceUID)]
        assert unit == "{SUVbw}g/ml"
        kji = g.world_to_kji(np.array([float(v) for v in ds.ImagePositionPatient]))
        k = int(round(kji[0]))
        assert abs(kji[0] - k) < 1e-3 and np.allclose(kji[1:], 0, atol=1e-3)
        out[k] = ds.pixel_array * slope + intercept
    assert not np.isnan(out).any()
    return out


def test_rwvm_gives_the_suv_we_show(study):
    r = study["reading"]
    suv = _suv_from_rwvm(study)
    assert np.allclose(suv, r.suv_array, rtol=1e-6)
    assert len({v[:2] for v in read_rwvm(study["files"]["rwvm.dcm"]).values()}) > 1  # per-instance mappings


def test_seg_plus_rwvm_give_the_lesion_statistics(study):
    from workstation.analysis.lesions.regions import region_stats
    from workstation.analysis.registration.resample import resample_array

    r = study["reading"]
    suv = _suv_from_rwvm(study).astype(np.float32)
    for s in read_segments(study["files"]["seg.dcm"])[:2]:
        les = r.lesions[s.number - 1]
        mask = resample_array(s.mask.astype(np.uint8), s.geometry, r.pet.geometry, order=0).astype(bool)
        st = region_stats(suv, mask, r.pet.geometry)
        assert st.voxels == les.voxels
        assert st.max == pytest.approx(les.suvmax, rel=1e-5)
        assert st.mean == pytest.approx(les.suvmean, rel=1e-5)
        assert st.suvpeak == pytest.approx(les.suvpeak, rel=1e-5)
        assert st.tlg == pytest.approx(les.tlg, rel=1e-5)


def test_key_images_have_outlines_where_the_lesions_are(study):
    r = study["reading"]
    mip = pydicom.dcmread(study["files"]["sc-mip.dcm"])
    assert mip.Modality == "OT" and mip.PhotometricInterpretation == "RGB"
    assert list(mip.PatientOrientation) == ["L", "F"]
    px = mip.pixel_array
    for les in r.lesions:
        hits = np.argwhere(np.all(px == lesion_colour(les.label), axis=-1))
        assert hits.size, f"no outline of lesion {les.label}"
        # radiological: patient right (x < 0) on the image's left; head (z up) at the top
        x, _, z = les.centre_world
        col, row = hits[:, 1].mean() / px.shape[1], hits[:, 0].mean() / px.shape[0]
        g = r.pet.geometry
        corners = g.kji_to_world(np.array([[0, 0, 0], [g.shape[0] - 1, g.shape[1] - 1, g.shape[2] - 1]], float))
        fx = (x - corners[:, 0].min()) / np.ptp(corners[:, 0])
        fz = (corners[:, 2].max() - z) / np.ptp(corners[:, 2])
        assert abs(col - fx) < 0.1 and abs(row - fz) < 0.1


def test_exports_refuse_to_overwrite(study):
    with pytest.raises(ExportError, match="--force"):
        export(study["reading"], "seg", study["files"]["seg.dcm"])


def test_empty_segment_is_refused(study):
    r = study["reading"]
    specs = segments(r)
    specs[0].mask = np.zeros_like(specs[0].mask)
    with pytest.raises(ExportError, match="empty"):
        build_seg(source_headers_for(r.pet), r.pet.geometry, specs)
    assert measurement_set(r).suv_type == "bw"


# ------------------------------------------------------------------ third-party objects (dcmqi)
def test_reads_dcmqi_example(refdata):
    import json

    d = refdata / "dcmqi-qin-headneck-sr-example"
    exp = json.loads((d / "expected_values.json").read_text())
    groups = read_measurements(d / "sr.dcm")
    assert len(groups) == 1
    got = groups[0]["measurements"]
    # Pixel Data Rows/Columns are image-library descriptors (TID 1602), not measurements of the ROI
    expected = [e for e in exp["measurements"] if not e["name"].startswith("Pixel Data")]
    assert len(expected) == len(exp["measurements"]) - 2
    assert len(got) == len(expected)
    for e in expected:
        deriv = [m.split(": ", 1)[1] for m in e["modifiers"] if m.startswith("Derivation")]
        match = [g for g in got if g["name"] == e["name"] and (g["derivation"] == (deriv[0] if deriv else None))
                 and g["unit"] == e["units"]]
        assert match, e
        assert match[0]["value"] == pytest.approx(e["value"], rel=1e-6)
    maps = read_rwvm(d / "rwvm.dcm")
    assert len(maps) == exp["pet_series_n_instances"]
    slope, intercept, unit = next(iter(maps.values()))
    assert slope == pytest.approx(exp["rwvm"][0]["slope"], rel=1e-6) and unit == exp["rwvm"][0]["units"]
    segs = read_segments(d / "seg.dcm")
    assert [s.label for s in segs] == [exp["seg"]["segment_label"]]
    s = segs[0]
    assert s.mask.shape[1:] == (exp["seg"]["rows"], exp["seg"]["cols"])
    assert s.mask.any(axis=(1, 2)).sum() <= exp["seg"]["frames"]
    assert np.allclose(s.geometry.spacing[:2], exp["seg"]["pixel_spacing_mm"], rtol=1e-5)
