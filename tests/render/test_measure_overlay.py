"""Measurement lines over a slice view: drawn (in their colour) between the screen positions of their two
world ends on the slice that holds them, absent on other slices, other planes and the MIP."""

from dataclasses import dataclass

import numpy as np
import pytest

from workstation.analysis.reading.session import ReadingSession
from workstation.render.measure_overlay import MeasureLines, on_slice
from workstation.render.scene import CellRenderer
from workstation.testing import synthetic_study as syn

MAGENTA = (1.0, 0.0, 1.0)  # a colour no image of the study has


@dataclass
class Seg:
    plane: str
    start: np.ndarray
    end: np.ndarray
    text: str = ""
    rgb: tuple = MAGENTA


class Source:
    def __init__(self, *items):
        self.list = list(items)

    def items(self):
        return self.list


def _session():
    return ReadingSession(syn.make_ct(), syn.make_pet(), mip_frames=4)


def test_on_slice_is_half_a_voxel_along_the_normal():
    s = _session()
    dz = s.display_geometry.spacing[2]
    a = s.crosshair.copy()
    b = a + [30.0, 10.0, 0.0]
    assert on_slice(s, "axial", a, b)
    assert on_slice(s, "axial", a + [0, 0, 0.49 * dz], b)
    assert not on_slice(s, "axial", a + [0, 0, 0.51 * dz], b)
    assert not on_slice(s, "coronal", a, b)  # 10 mm apart in y: not one coronal slice


@pytest.mark.gui
@pytest.mark.parametrize("plane", ["axial", "coronal", "sagittal"])
def test_line_drawn_between_its_ends(plane):
    s = _session()
    u, v = {"axial": (0, 1), "coronal": (0, 2), "sagittal": (1, 2)}[plane]
    a = s.crosshair.copy()
    a[u] -= 25.0
    a[v] -= 12.0
    b = a.copy()
    b[u] += 40.0
    b[v] += 30.0
    cell = CellRenderer("fused", plane, 300, 280)
    seg = Seg(plane, a, b)  # no label first: every line-coloured pixel is the line's
    hook = MeasureLines(cell, Source(seg))
    cell.overlays.append(hook)
    img = cell.render(s)
    mag = np.all(img == (255, 0, 255), axis=-1)
    assert mag.sum() > 20 and hook.shown
    (x0, y0), (x1, y1) = cell.world_to_display(s, a), cell.world_to_display(s, b)
    yy, xx = np.nonzero(mag)
    # every magenta pixel is on the segment (distance to the line through the ends within the line width)
    d = np.abs((x1 - x0) * (y0 - yy) - (x0 - xx) * (y1 - y0)) / np.hypot(x1 - x0, y1 - y0)
    assert d.max() < 2.5
    assert xx.min() >= min(x0, x1) - 2 and xx.max() <= max(x0, x1) + 2
    # and it spans the segment from end to end
    assert abs(xx.min() - min(x0, x1)) < 3 and abs(xx.max() - max(x0, x1)) < 3
    # with a label: shown (in the line's colour) beside the end
    seg.text = "50.0 mm"
    img = cell.render(s)
    assert hook.labels[0].GetVisibility() and hook.labels[0].GetInput() == "50.0 mm"
    yy2, xx2 = np.nonzero(np.all(img == (255, 0, 255), axis=-1) & ~mag)
    assert len(xx2) > 10 and np.all(np.hypot(xx2 - x1, yy2 - y1) < 80)
    # another slice: no line, no label
    s.scroll(plane, 3)
    img = cell.render(s)
    assert not np.all(img == (255, 0, 255), axis=-1).any() and not hook.labels[0].GetVisibility()
    # another plane and the MIP: nothing
    other = "coronal" if plane == "axial" else "axial"
    s.scroll(plane, -3)
    for kind, pl in (("fused", other), ("mip", "coronal")):
        c2 = CellRenderer(kind, pl, 240, 220)
        h2 = MeasureLines(c2, Source(Seg(plane, a, b)))
        c2.overlays.append(h2)
        assert not np.all(c2.render(s) == (255, 0, 255), axis=-1).any() and not h2.shown
