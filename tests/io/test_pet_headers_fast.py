"""PET headers parsed once: the loader's fast path gives ``read_pet_acquisition`` small datasets built
from the header walk (``io.pixels._pet_headers``) instead of a full pydicom parse of every slice. The
reference is the former road, independent of it: every header parsed whole by pydicom."""

from __future__ import annotations

import glob

import numpy as np
import pydicom
import pytest

from workstation.io import pixels
from workstation.io.loader import load_series
from workstation.io.pet_header import PetHeaderError, read_pet_acquisition
from workstation.testing.dicom_factory import write_series
from workstation.testing.pet_factory import pet_dataset

KEYS = ("Units", "DecayCorrection", "CorrectedImage", "SeriesDate", "SeriesTime", "AcquisitionDate",
        "AcquisitionTime", "PatientWeight", "PatientSex", "RadiopharmaceuticalInformationSequence",
        "FrameReferenceTime", "ActualFrameDuration", "DecayFactor", "Manufacturer")


def _extra(**kw):
    def per_slice(k):
        bed = k // 3  # three beds: their own acquisition time, frame reference time and decay factor
        ds = pet_dataset(acquisition_time=f"12{bed:02d}00", frame_reference_time=60000.0 * bed + 30000.0,
                         frame_duration=60000, decay_factor=1.0 + 0.01 * bed, **kw)
        out = {key: ds.get(key) for key in KEYS if key in ds}
        if kw.get("philips_suv") is not None or kw.get("ge_scan_datetime") is not None:
            out["_private"] = ds
        return out
    return per_slice


def _write(tmp_path, n=9, **kw):
    stored = np.arange(n * 4 * 5, dtype=np.int16).reshape(n, 4, 5)
    extra = _extra(**kw)

    def plain(k):
        return {key: v for key, v in extra(k).items() if key != "_private"}

    files = write_series(tmp_path, stored, origin=(0, 0, 0), spacing_ijk=(4.0, 4.0, 3.0), modality="PT",
                         slopes=np.linspace(0.5, 2.0, n), extra=plain)
    private = extra(0).get("_private")
    if private is not None:  # copy the private blocks into every file
        for p in files:
            ds = pydicom.dcmread(p)
            for elem in private:
                if elem.tag.is_private:
                    ds.add(elem)
            ds.save_as(p, enforce_file_format=True)
    return [str(p) for p in files]


def _by_pydicom(files):  # the former loader: every header parsed whole from its bytes
    return read_pet_acquisition([pydicom.dcmread(pydicom.filebase.DicomBytesIO(open(f, "rb").read()),
                                                 stop_before_pixels=True) for f in files])


def _fast(files):
    heads = [open(f, "rb").read() for f in files]
    first = pydicom.dcmread(pydicom.filebase.DicomBytesIO(heads[0]), stop_before_pixels=True)
    parsed = []

    def parse(head):
        parsed.append(head)
        return pydicom.dcmread(pydicom.filebase.DicomBytesIO(head), stop_before_pixels=True)

    return [first] + pixels._pet_headers(first, heads[0], heads[1:], parse), len(parsed)


def test_same_facts_without_parsing_every_header(tmp_path):
    files = _write(tmp_path)
    headers, n_parsed = _fast(files)
    assert n_parsed == 0  # every slice after the first came from the header walk
    fast = read_pet_acquisition(headers)
    assert fast == _by_pydicom(files)
    assert len({i.frame_reference_time_ms.value for i in fast.instances.values()}) == 3
    assert load_series(files).pet == fast  # what the loader gives


def test_ge_private_scan_time_read_the_same(tmp_path):
    files = _write(tmp_path, ge_scan_datetime="20201217113000")
    headers, n_parsed = _fast(files)
    assert n_parsed == 0
    fast = read_pet_acquisition(headers)
    assert fast == _by_pydicom(files) and fast.ge_scan_datetime is not None


def test_philips_private_slices_are_parsed_by_pydicom(tmp_path):
    files = _write(tmp_path, philips_suv=0.0005)
    headers, n_parsed = _fast(files)
    assert n_parsed == len(files) - 1
    assert read_pet_acquisition(headers) == _by_pydicom(files)


def test_a_slice_with_another_series_value_is_refused_as_before(tmp_path):
    files = _write(tmp_path)
    ds = pydicom.dcmread(files[4])
    ds.PatientWeight = 71.0
    ds.save_as(files[4], enforce_file_format=True)
    headers, n_parsed = _fast(files)
    assert n_parsed == 1  # only the differing slice went to pydicom
    with pytest.raises(PetHeaderError) as fast:
        read_pet_acquisition(headers)
    with pytest.raises(PetHeaderError) as ref:
        _by_pydicom(files)
    assert str(fast.value) == str(ref.value) and "(0010,1030)" in str(fast.value)


@pytest.mark.parametrize("series", ["ibsi-sts-petctmr/STS_002/PET/image", "pynemaiqpet-nema-iq-recon/pet_recon_1",
                                    "mirp-lu177-spect/SCAN_001/image"])
def test_reference_series_give_the_same_facts(refdata, series):
    files = sorted(f for f in glob.glob(str(refdata / series / "*")) if open(f, "rb").read(132)[128:] == b"DICM")
    if not files:
        pytest.skip(f"{series} not present")
    headers, n_parsed = _fast(files)
    assert n_parsed < len(files) - 1
    assert read_pet_acquisition(headers) == _by_pydicom(files)
