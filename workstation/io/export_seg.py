"""DICOM Segmentation (SEG) of lesions and reference regions, written and read with highdicom.

One binary segment per lesion (label "Lesion N", SNOMED category *Morphologically abnormal
structure*, type *Lesion*), plus optional reference regions (liver, blood pool) as segments of
their own, with their anatomic region coded (Liver, Descending aorta; a lesion's site is left
uncoded: the workstation does not know it). Each segment carries its display colour (CIE Lab), a tracking identifier and UID
(which the SR points at), and the segmentation algorithm with its parameters. The SEG refers to
the PET series it was drawn on: its frames lie on the PET slice grid (same positions,
orientation and pixel spacing), so a viewer overlays it without resampling.

``read_segments`` reads any SEG (ours or another tool's) through highdicom into masks on an
:class:`ImageGeometry` (LPS), one per segment.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from workstation.io.export_common import (DEVICE_SERIAL, MANUFACTURER, MODEL_NAME, SOFTWARE_VERSION, ExportError,
                            geometry_from_affine, new_uid, plane_geometry, save_dataset, without_name_warnings)

# segment kinds -> (category, type) as highdicom/pydicom codes (looked up lazily)
_KINDS = {
    "lesion": ("MorphologicallyAbnormalStructure", "Lesion"),
    "liver": ("Tissue", "Liver"),
    "blood_pool": ("Tissue", "DescendingAorta"),
}
# anatomic region coded where it is known (reference regions); a lesion's site is not known to us
_REGIONS = {"liver": "Liver", "blood_pool": "DescendingAorta"}

DEFAULT_COLOURS = [(230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48), (145, 30, 180),
                   (70, 240, 240), (240, 50, 230), (210, 245, 60), (250, 190, 212), (0, 128, 128), (170, 110, 40)]


def lesion_colour(n: int) -> tuple[int, int, int]:
    """The display colour of lesion number ``n`` (1-based), shared by SEG, key images and the report."""
    return DEFAULT_COLOURS[(int(n) - 1) % len(DEFAULT_COLOURS)]


@dataclass
class SegmentSpec:
    """One segment to write: a boolean mask ``[k, j, i]`` on the PET grid and what it is."""

    label: str
    mask: np.ndarray
    kind: str = "lesion"  # lesion | liver | blood_pool
    colour: tuple[int, int, int] = (230, 25, 75)
    tracking_id: str = ""
    tracking_uid: str = ""
    algorithm: str = "workstation threshold segmentation"
    parameters: dict = field(default_factory=dict)  # name -> text
    automatic: bool = False  # whole-body search (automatic) vs seeded / drawn (semi-automatic)


@dataclass
class ReadSegment:
    number: int
    label: str
    mask: np.ndarray
    geometry: object
    kind: str = ""
    colour: tuple[int, int, int] | None = None
    tracking_id: str = ""
    tracking_uid: str = ""


@without_name_warnings
def build_seg(source_headers, geometry, segments, *, series_number: int = 901, description: str | None = None):
    """highdicom Segmentation of ``segments`` on the slice grid of ``geometry`` (the source series')."""
    if description is None:  # "PET lesions" or "SPECT lesions"
        from workstation.io.export_common import functional_word

        description = f"{functional_word(source_headers[0])} lesions"
    import highdicom as hd
    from pydicom.sr.codedict import codes

    if not segments:
        raise ExportError("nothing to export: no lesion or region was found/segmented")
    shape = tuple(geometry.shape)
    descs, planes = [], []
    for n, s in enumerate(segments, start=1):
        m = np.asarray(s.mask, bool)
        if m.shape != shape:
            raise ExportError(f"segment {s.label!r}: mask shape {m.shape} is not the PET grid {shape}")
        if not m.any():
            raise ExportError(f"segment {s.label!r} is empty")
        if s.kind not in _KINDS:
            raise ExportError(f"segment {s.label!r}: unknown kind {s.kind!r}")
        cat, typ = _KINDS[s.kind]
        params = {str(k)[:64]: str(v)[:64] for k, v in (s.parameters or {}).items()} or None
        algo = hd.AlgorithmIdentificationSequence(name=s.algorithm[:64], family=codes.cid7162.NeighborhoodAnalysis,
                                                  version=SOFTWARE_VERSION,
                                                  parameters=params)
        descs.append(hd.seg.SegmentDescription(
            segment_number=n, segment_label=s.label[:64],
            segmented_property_category=getattr(codes.SCT, cat), segmented_property_type=getattr(codes.SCT, typ),
            algorithm_type=(hd.seg.SegmentAlgorithmTypeValues.AUTOMATIC if s.automatic
                            else hd.seg.SegmentAlgorithmTypeValues.SEMIAUTOMATIC),
            algorithm_identification=algo,
            tracking_uid=s.tracking_uid or new_uid(), tracking_id=(s.tracking_id or s.label)[:64],
            anatomic_regions=[getattr(codes.SCT, _REGIONS[s.kind])] if s.kind in _REGIONS else None,
            display_color=hd.color.CIELabColor.from_rgb(*(int(c) for c in s.colour))))
        planes.append(m)
    pixel = np.stack(planes, axis=-1).astype(np.uint8)  # (frames, rows, cols, segments)
    positions, orientation, measures = plane_geometry(geometry)
    return hd.seg.Segmentation(
        source_images=list(source_headers), pixel_array=pixel, segmentation_type=hd.seg.SegmentationTypeValues.BINARY,
        segment_descriptions=descs, series_instance_uid=new_uid(), series_number=series_number,
        sop_instance_uid=new_uid(), instance_number=1, manufacturer=MANUFACTURER,
        manufacturer_model_name=MODEL_NAME, software_versions=SOFTWARE_VERSION, device_serial_number=DEVICE_SERIAL,
        content_description=description[:64], content_label="LESIONS", series_description=description[:64],
        plane_positions=positions, plane_orientation=orientation, pixel_measures=measures)


def write_seg(path, source_headers, geometry, segments, *, overwrite: bool = False, **kw):
    seg = build_seg(source_headers, geometry, segments, **kw)
    save_dataset(seg, path, overwrite)
    return seg


def read_segments(path) -> list[ReadSegment]:
    """Every segment of a SEG file as a boolean mask on its own regular grid (highdicom decides the grid)."""
    import highdicom as hd

    try:
        seg = hd.seg.segread(str(path))
    except Exception as exc:  # noqa: BLE001
        raise ExportError(f"{path}: not a readable DICOM Segmentation ({type(exc).__name__}: {exc})") from exc
    out = []
    for number in seg.segment_numbers:
        try:
            vol = seg.get_volume(segment_numbers=[number], combine_segments=True, dtype=np.uint8)
        except Exception as exc:  # noqa: BLE001
            raise ExportError(f"{path}: segment {number} does not lie on a regular 3-D grid ({exc})") from exc
        arr = np.asarray(vol.array) > 0
        geom = geometry_from_affine(vol.affine, arr.shape)
        d = seg.get_segment_description(number)
        colour = None
        if "RecommendedDisplayCIELabValue" in d:
            colour = tuple(int(v) for v in hd.color.CIELabColor.from_dicom_value(
                d.RecommendedDisplayCIELabValue).to_rgb())
        kind = ""
        for k, (_cat, typ) in _KINDS.items():
            if d.segmented_property_type.meaning.replace(" ", "").lower() == typ.lower():
                kind = k
        out.append(ReadSegment(int(number), str(d.segment_label), arr, geom, kind, colour,
                               str(d.get("TrackingID", "") or ""), str(d.get("TrackingUID", "") or "")))
    return out
