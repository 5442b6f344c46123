"""Secondary-capture key images (RGB) for PACS viewers that show nothing else, with highdicom.

One SC instance per image, all in one new series of the PET's study; patient and study copied
from the PET. ``write_key_images(out, ref, images)`` writes ``OUT-<name>.dcm`` beside ``out``
(e.g. ``key-mip.dcm``, ``key-lesion-1.dcm``) and refuses to replace any of them unless
``overwrite``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from workstation.io.export_common import (MANUFACTURER, ExportError, check_target, new_uid, save_dataset,
                            without_name_warnings)


@without_name_warnings
def build_key_image(ref, rgb: np.ndarray, orientation, *, series_uid: str, number: int, title: str,
                    mm_per_pixel: float | None = None, series_number: int = 904):
    import highdicom as hd

    a = np.asarray(rgb)
    if a.ndim != 3 or a.shape[2] != 3 or a.dtype != np.uint8:
        raise ExportError(f"key image {title!r}: expected an RGB uint8 array, got {a.dtype} {a.shape}")
    sc = hd.sc.SCImage.from_ref_dataset(
        ref_dataset=ref, pixel_array=a, photometric_interpretation=hd.PhotometricInterpretationValues.RGB,
        bits_allocated=8, coordinate_system=hd.CoordinateSystemNames.PATIENT, series_instance_uid=series_uid,
        series_number=series_number, sop_instance_uid=new_uid(), instance_number=number, manufacturer=MANUFACTURER,
        patient_orientation=tuple(orientation), transfer_syntax_uid="1.2.840.10008.1.2.1",
        pixel_spacing=None if mm_per_pixel is None else (mm_per_pixel, mm_per_pixel))
    from workstation.io.export_common import functional_word

    sc.SeriesDescription = f"{functional_word(ref)} key images"
    sc.Laterality = ""  # General Series type 2C: not one paired structure
    sc.DerivationDescription = title[:1024]
    sc.ImageComments = title[:10240]
    return sc


def key_image_paths(out, names) -> list[Path]:
    out = Path(out)
    suffix = out.suffix or ".dcm"
    return [out.with_name(f"{out.stem}-{n}{suffix}") for n in names]


def write_key_images(out, ref, images, *, overwrite: bool = False) -> list[Path]:
    paths = key_image_paths(out, [im.name for im in images])
    for p in paths:
        check_target(p, overwrite)
    series = new_uid()
    for n, (im, p) in enumerate(zip(images, paths), start=1):
        save_dataset(build_key_image(ref, im.rgb, im.orientation, series_uid=series, number=n, title=im.title,
                                     mm_per_pixel=im.mm_per_pixel), p, overwrite)
    return paths
