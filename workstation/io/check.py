"""Vetting a folder: load every image series the way the viewer would, and say what failed and why.

:func:`check_paths` scans the folder (header-only), then loads each image series with
:func:`workstation.io.loader.load_series` (pixels, geometry, PET facts) and records it as
*loaded* (shape, spacing, modality, warnings) or *refused* (the one-line reason). Non-image
objects (SR, SEG, RT) are listed but not loaded; files that are not DICOM are listed with the
scan's reason. Nothing is written anywhere. A series that fails in an unexpected way is recorded
as refused with the exception type (never a traceback); :attr:`CheckReport.all_loaded` says
whether everything that should load did.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from workstation.core.text import printable

from workstation.io.errors import DicomError


@dataclass
class SeriesCheck:
    series_uid: str
    study_uid: str
    modality: str
    description: str
    series_number: int | None
    n_files: int
    status: str  # "loaded" | "refused" | "not an image"
    reason: str = ""
    shape: tuple | None = None
    spacing_mm: tuple | None = None
    units: str = ""
    warnings: list[str] = field(default_factory=list)
    pet: dict | None = None  # filled by an ``on_loaded`` callback (the SUV facts live in analysis)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class CheckReport:
    series: list[SeriesCheck] = field(default_factory=list)
    skipped_files: list[tuple[str, str]] = field(default_factory=list)  # (path, reason) from the scan
    files_seen: int = 0
    special_files: int = 0  # FIFOs, sockets, devices: skipped, never opened

    @property
    def unreadable_files(self) -> list[tuple[str, str]]:
        """Files that look like DICOM but whose header could not be read (not plain non-DICOM files)."""
        return [(p, r) for p, r in self.skipped_files if r != "not a DICOM file"]

    @property
    def all_loaded(self) -> bool:
        return all(s.status != "refused" for s in self.series) and not self.unreadable_files

    def to_dict(self) -> dict:
        return {"files_seen": self.files_seen, "all_loaded": self.all_loaded,
                "series": [s.to_dict() for s in self.series],
                "special_files": self.special_files,
                "skipped_files": [{"path": p, "reason": r} for p, r in self.skipped_files]}


def _one_line(exc: BaseException) -> str:
    text = str(exc).replace("\n", " ").strip()
    return printable(text) or type(exc).__name__


def check_paths(paths, progress=None, on_loaded=None) -> CheckReport:
    """Scan ``paths`` and try to load every image series found (see the module docstring).

    ``on_loaded(item, volume)`` is called for each loaded series (e.g. to add SUV facts); the
    volume is dropped afterwards so that a large folder is checked in bounded memory.
    """
    from workstation.io.loader import load_series
    from workstation.io.scan import scan_paths

    scan = scan_paths(paths)
    groups: dict[str, list] = {}
    for r in scan.instances:
        groups.setdefault(r.series_uid, []).append(r)
    report = CheckReport(skipped_files=list(scan.skipped), files_seen=scan.files_seen,
                         special_files=scan.special_files)
    ordered = sorted(groups.values(), key=lambda rs: (rs[0].study_uid, rs[0].series_number or 0, rs[0].series_uid))
    for n, recs in enumerate(ordered):
        first = recs[0]
        files = sorted(r.path for r in recs)
        is_image = any(r.is_image for r in recs)
        item = SeriesCheck(first.series_uid, first.study_uid, first.modality, printable(first.series_description),
                           first.series_number, len(files), "not an image" if not is_image else "refused")
        report.series.append(item)
        if progress is not None:
            progress.update(n / max(1, len(ordered)), f"loading series {n + 1}/{len(ordered)}")
        if not is_image:
            continue
        try:
            vol = load_series([r.path for r in recs if r.is_image])
        except DicomError as exc:
            item.reason = _one_line(exc)
            continue
        except MemoryError:
            item.reason = "not enough memory to load this series"
            continue
        except Exception as exc:  # noqa: BLE001 - a loader bug must not stop the check of the other series
            item.reason = f"unexpected error while loading ({type(exc).__name__}: {_one_line(exc)[:200]})"
            continue
        item.status = "loaded"
        item.shape = tuple(int(x) for x in vol.shape)
        item.spacing_mm = tuple(round(float(x), 4) for x in vol.geometry.spacing)
        item.units = vol.units
        item.warnings = [printable(w) for w in vol.warnings]
        if on_loaded is not None:
            on_loaded(item, vol)
        del vol
    if progress is not None:
        progress.update(1.0, "checked")
    return report
