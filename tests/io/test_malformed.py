"""The malformed corpus: every broken file is refused with a message naming the file and the element.

The corpus (tests/malformed_corpus.py) is generated per test session; each case is its own
series, so the test also proves that the other series of a folder still load.
"""

from __future__ import annotations

import numpy as np
import pytest
from malformed_corpus import CASES, NOT_INDEXED, PET_SOP, base_dataset, build_corpus, save

from workstation.io.errors import DicomError, NonFiniteError
from workstation.io.series import find_series
from workstation.io.loader import load_series
from workstation.io.scan import scan_paths


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    return root, build_corpus(root)


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_case_loads_or_is_refused_with_its_reason(corpus, name):
    _, files = corpus
    path = files[name]
    expected = CASES[name][1]
    if expected == "loads":
        v = load_series([path])
        assert v.shape == (1, 4, 5)
        assert np.array_equal(v.array[0], np.arange(20).reshape(4, 5))
        return
    with pytest.raises(DicomError) as err:
        load_series([path])
    msg = str(err.value)
    assert str(path) in msg
    for fragment in expected:
        assert fragment in msg, (fragment, msg)
    assert "\n" not in msg


def test_the_other_series_of_the_folder_still_load(corpus):
    root, files = corpus
    series = find_series([root])
    by_folder = {s.files[0].split("/")[-2]: s for s in series}
    # every case that the header scan can index forms its own series
    assert set(by_folder) == set(CASES) - set(NOT_INDEXED)
    loaded = set()
    for name, s in by_folder.items():
        try:
            load_series(s.files)
            loaded.add(name)
        except DicomError:
            pass
    assert loaded == {n for n, (_, exp) in CASES.items() if exp == "loads"}


def test_the_scan_skips_what_is_not_dicom_with_a_reason(corpus):
    root, files = corpus
    res = scan_paths([root])
    skipped = dict(res.skipped)
    for name, reason in NOT_INDEXED.items():
        assert skipped[str(files[name])].startswith(reason)
    indexed = {r.path for r in res.instances}
    assert str(files["no_preamble"]) in indexed and str(files["acr_nema"]) in indexed


def test_preamble_less_file_keeps_its_header_facts(corpus):
    _, files = corpus
    for name, description in (("no_preamble", "no preamble"), ("acr_nema", "acr-nema")):
        v = load_series([files[name]])
        assert v.modality == "CT" and v.description == description
        assert v.geometry.spacing[:2] == (1.0, 1.0)


def _float_series(tmp_path, bad_slice: int | None, nan_slope_slice: int | None = None):
    paths = []
    study, series = base_dataset().StudyInstanceUID, base_dataset().SeriesInstanceUID
    for k in range(4):
        ds = base_dataset("PT")
        ds.SOPClassUID = PET_SOP
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
        ds.ImagePositionPatient = [0.0, 0.0, 2.0 * k]
        values = np.full((4, 5), float(k + 1), np.float32)
        if k == bad_slice:
            values[1, 2] = np.nan
            values[3, 4] = np.inf
        del ds.PixelData
        for kw in ("BitsStored", "HighBit", "PixelRepresentation", "RescaleSlope", "RescaleIntercept"):
            delattr(ds, kw)
        ds.BitsAllocated = 32
        ds.FloatPixelData = values.astype("<f4").tobytes()
        paths.append(save(ds, tmp_path / f"s{k}.dcm"))
    return paths


def test_non_finite_voxels_are_refused_with_their_slices(tmp_path):
    paths = _float_series(tmp_path, bad_slice=2)
    with pytest.raises(NonFiniteError) as err:
        load_series(paths)
    msg = str(err.value)
    assert "2 voxel value(s)" in msg and "1 slice(s) [2]" in msg and str(paths[2]) in msg


def test_finite_float_pixel_data_loads(tmp_path):
    v = load_series(_float_series(tmp_path, bad_slice=None))
    assert v.shape == (4, 4, 5)
    assert np.array_equal(v.array[:, 0, 0], [1, 2, 3, 4])


def test_one_nan_slope_in_a_series_refuses_the_series_naming_the_file(tmp_path):
    study, series = base_dataset().StudyInstanceUID, base_dataset().SeriesInstanceUID
    paths = []
    for k in range(3):
        ds = base_dataset("PT")
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
        ds.ImagePositionPatient = [0.0, 0.0, 2.0 * k]
        ds.RescaleSlope = "0.5"
        paths.append(save(ds, tmp_path / f"s{k}.dcm"))
    data = paths[1].read_bytes()
    paths[1].write_bytes(data.replace(b"DS\x04\x000.5 ", b"DS\x04\x00NaN "))
    assert load_series([paths[0], paths[2]]).shape == (2, 4, 5)
    with pytest.raises(NonFiniteError, match=r"RescaleSlope \(0028,1053\) is nan") as err:
        load_series(paths)
    assert str(paths[1]) in str(err.value)
