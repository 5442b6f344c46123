"""Test fixture: DICOM Segmentation (SEG) and RT Structure Set files written with pydicom.

Independent of the code under test: every frame is given by its segment number, its
ImagePositionPatient and its 2-D pixels; the caller knows the world position of every pixel
(``ipp + column * PixelSpacing[1] * row_direction + row * PixelSpacing[0] * column_direction``).
"""

from __future__ import annotations

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.pixels import pack_bits
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

SEG_SOP = "1.2.840.10008.5.1.4.1.1.66.4"
RTSTRUCT_SOP = "1.2.840.10008.5.1.4.1.1.481.3"


def _base(sop_class, modality, frame_of_reference="1.2.3"):
    ds = Dataset()
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.StudyInstanceUID = generate_uid()
    if frame_of_reference is not None:  # an RTSTRUCT names it only inside its ROI items
        ds.FrameOfReferenceUID = frame_of_reference
    ds.Modality = modality
    ds.PatientName = "SECRET^NAME"
    ds.PatientID = "SECRET-ID"
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    return ds


def write_seg(path, frames, *, segments, iop=(1, 0, 0, 0, 1, 0), pixel_spacing=(2.0, 3.0), thickness=4.0,
              frame_of_reference="1.2.3"):
    """frames: list of (segment number, ipp (3,), uint8/bool 2-D array); segments: list of (number, label)."""
    ds = _base(SEG_SOP, "SEG", frame_of_reference)
    rows, cols = np.asarray(frames[0][2]).shape
    ds.Rows, ds.Columns = rows, cols
    ds.NumberOfFrames = len(frames)
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = ds.BitsStored = 1
    ds.HighBit = 0
    ds.PixelRepresentation = 0
    ds.SegmentationType = "BINARY"
    seq = []
    for n, label in segments:
        item = Dataset()
        item.SegmentNumber = n
        item.SegmentLabel = label
        item.RecommendedDisplayCIELabValue = [54000, 53000, 45000]
        seq.append(item)
    ds.SegmentSequence = seq
    shared = Dataset()
    po = Dataset()
    po.ImageOrientationPatient = [float(v) for v in iop]
    pm = Dataset()
    pm.PixelSpacing = [float(v) for v in pixel_spacing]
    pm.SliceThickness = float(thickness)
    shared.PlaneOrientationSequence = [po]
    shared.PixelMeasuresSequence = [pm]
    ds.SharedFunctionalGroupsSequence = [shared]
    per = []
    for n, ipp, _arr in frames:
        item = Dataset()
        pp = Dataset()
        pp.ImagePositionPatient = [float(v) for v in ipp]
        si = Dataset()
        si.ReferencedSegmentNumber = n
        item.PlanePositionSequence = [pp]
        item.SegmentIdentificationSequence = [si]
        per.append(item)
    ds.PerFrameFunctionalGroupsSequence = per
    bits = np.concatenate([np.asarray(a, bool).ravel() for _n, _p, a in frames]).astype(np.uint8)
    ds.PixelData = pack_bits(bits)
    ds.save_as(path, enforce_file_format=True)
    return path


def write_rtstruct(path, rois):
    """rois: list of (number, name, colour (r, g, b), [contour points (N, 3) in LPS mm])."""
    ds = _base(RTSTRUCT_SOP, "RTSTRUCT", None)
    ss, rc, obs = [], [], []
    for n, name, color, contours in rois:
        s = Dataset()
        s.ROINumber = n
        s.ROIName = name
        s.ReferencedFrameOfReferenceUID = "1.2.3"
        ss.append(s)
        r = Dataset()
        r.ReferencedROINumber = n
        r.ROIDisplayColor = list(color)
        cs = []
        for pts in contours:
            c = Dataset()
            c.ContourGeometricType = "CLOSED_PLANAR"
            pts = np.asarray(pts, float)
            c.NumberOfContourPoints = len(pts)
            c.ContourData = [f"{v:.6f}" for v in pts.ravel()]
            img = Dataset()  # points to an image that is not in any series (as after cropping)
            img.ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.128"
            img.ReferencedSOPInstanceUID = generate_uid()
            c.ContourImageSequence = [img]
            cs.append(c)
        r.ContourSequence = cs
        rc.append(r)
        o = Dataset()
        o.ReferencedROINumber = n
        o.RTROIInterpretedType = "GTV"
        obs.append(o)
    ds.StructureSetROISequence = ss
    ds.ROIContourSequence = rc
    ds.RTROIObservationsSequence = obs
    ds.save_as(path, enforce_file_format=True)
    return path


def circle(cx, cy, z, r, n=720, clockwise=False):
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    if clockwise:
        t = t[::-1]
    return np.stack([cx + r * np.cos(t), cy + r * np.sin(t), np.full(n, float(z))], axis=1)


def read(path):
    return pydicom.dcmread(str(path))
