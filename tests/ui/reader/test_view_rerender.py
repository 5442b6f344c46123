"""Only the views whose picture changed are drawn again (issue 10): scrolling the axial view draws
the axial views again; the coronal, sagittal and MIP views keep their picture and only move the
crosshair, which the widget paints over it. Counted per view on the 10-view grid."""

import numpy as np
import pytest
from PySide6.QtWidgets import QGridLayout, QWidget

from workstation.analysis.reading import session as fusion
from workstation.core import display
from workstation.render.slice_view import CROSSHAIR_RGB
from workstation.testing import synthetic_study as syn
from workstation.ui.reader.view_widget import ViewWidget

pytestmark = [pytest.mark.gui]


@pytest.fixture
def grid(qtbot):
    s = fusion.ReadingSession(syn.make_ct(), syn.make_pet(), mip_frames=8)
    s.set_crosshair(syn.LESION)
    host = QWidget()
    lay = QGridLayout(host)
    views = {}
    for cell in display.LAYOUTS["grid"].cells:
        v = ViewWidget(s, cell.kind, cell.plane)
        lay.addWidget(v, cell.row, cell.col, cell.rowspan, cell.colspan)
        views[v.key] = v
    host.resize(1200, 800)
    qtbot.addWidget(host)
    host.show()
    qtbot.waitExposed(host)
    qtbot.waitUntil(lambda: all(v.render_count >= 1 for v in views.values()), timeout=30_000)
    yield s, views
    for v in views.values():
        v.detach()


def _settle(qtbot, views):
    qtbot.wait(50)
    qtbot.waitUntil(lambda: not any(v._dirty for v in views.values()), timeout=10_000)


def test_grid_has_ten_views(grid):
    _s, views = grid
    assert len(views) == 10 and "mip" in views


def test_axial_scroll_draws_only_the_axial_views(grid, qtbot):
    s, views = grid
    _settle(qtbot, views)
    before = {k: v.render_count for k, v in views.items()}
    for _ in range(3):
        s.scroll("axial", 1)
        _settle(qtbot, views)
    drawn = {k: views[k].render_count - before[k] for k in views}
    for k, n in drawn.items():
        if k.endswith("-axial"):
            assert n >= 1, (k, drawn)  # the new slice is drawn (at most once per paint)
        else:
            assert n == 0, (k, drawn)  # coronal, sagittal and MIP: same picture


def test_coronal_scroll_draws_only_coronal_and_window_change_draws_its_views(grid, qtbot):
    s, views = grid
    _settle(qtbot, views)
    before = {k: v.render_count for k, v in views.items()}
    s.scroll("coronal", -2)
    _settle(qtbot, views)
    assert {k for k in views if views[k].render_count > before[k]} == {k for k in views if k.endswith("-coronal")}
    before = {k: v.render_count for k, v in views.items()}
    s.set_ct_window(1500, 300)
    _settle(qtbot, views)
    assert {k for k in views if views[k].render_count > before[k]} == {k for k in views if k.startswith(("ct-", "fused-"))}
    before = {k: v.render_count for k, v in views.items()}
    s.set_mip_angle_index(3)
    _settle(qtbot, views)
    assert {k for k in views if views[k].render_count > before[k]} == {"mip"}


def test_crosshair_is_painted_where_the_world_point_is(grid, qtbot):
    """The widget paints the crosshair over its picture: the green line of the coronal view moves to
    the new axial position without a new picture."""
    s, views = grid
    v = views["ct-coronal"]
    _settle(qtbot, views)
    n = v.render_count
    s.scroll("axial", 4)
    _settle(qtbot, views)
    assert v.render_count == n
    img = v.grab().toImage()
    _x, y = v.cell.world_to_display(s, s.crosshair)
    x0, _y0 = v.cell.view.pixel_to_display(0, 0)
    col = int(x0) + 3  # left part of the image, clear of the vertical line and the text

    def greenish(yy):
        c = img.pixelColor(col, yy)
        return c.green() > c.red() + 40 and c.green() > c.blue() + 40  # CROSSHAIR_RGB is green

    assert max(CROSSHAIR_RGB) == CROSSHAIR_RGB[1]  # the crosshair is green: what greenish() looks for
    rows = [yy for yy in range(v.height()) if greenish(yy)]
    assert rows and min(abs(r - y) for r in rows) <= 1.5, (rows, y)
    # the VTK picture itself holds no crosshair: the widget painted it
    pic = v.last_image[:, col].astype(int)
    assert not np.any((pic[:, 1] > pic[:, 0] + 40) & (pic[:, 1] > pic[:, 2] + 40))
