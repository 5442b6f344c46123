"""Pure data models (numpy + stdlib only): geometry, volumes, PET acquisition facts.

The names below are imported on first use (PEP 562), so that importing a numpy-free module of this
package (``core.vocabulary``, ``core.text``) does not import numpy: ``workstation --help`` must
start without it.
"""

__all__ = ["ImageGeometry", "PatientInfo", "Volume"]


def __getattr__(name: str):
    if name == "ImageGeometry":
        from .geometry import ImageGeometry

        return ImageGeometry
    if name in ("PatientInfo", "Volume"):
        from . import volume

        return getattr(volume, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
