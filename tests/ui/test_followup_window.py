"""The side-by-side follow-up window on the follow-up demo: linked crosshairs through the
registration, the change table, lesions coloured where the reading found them."""

import numpy as np
import pytest

pytestmark = [pytest.mark.gui, pytest.mark.slow]


@pytest.fixture(scope="module")
def fwin(followup_reading, qapp):
    from workstation.ui.followup_window import FollowupWindow

    import copy

    rd, truth, _ = followup_reading
    rd = copy.copy(rd)  # the window edits matches and names: not those of the shared reading
    rd.matches, rd.names = list(rd.matches), dict(rd.names)
    w = FollowupWindow(rd)
    w.resize(1400, 900)
    w.show()
    yield w, rd, truth
    w.close()


def _patch(img, x, y, r=1):
    return np.median(img[int(y) - r:int(y) + r + 1, int(x) - r:int(x) + r + 1].reshape(-1, 3).astype(int), axis=0)


def test_change_table_lists_every_lesion(fwin):
    w, rd, _ = fwin
    rows = rd.rows()
    assert w.table.rowCount() == len(rows) == 5
    statuses = [w.table.item(n, 1).text() for n in range(len(rows))]
    assert sorted(statuses) == ["disappeared", "matched", "matched", "matched", "new"]
    for n, r in enumerate(rows):
        assert w.table.item(n, 0).text() == r.name == r.key
        assert w.table.item(n, 10).text() == r.percist and w.table.item(n, 11).text() == r.eortc
        assert w.table.item(n, 2).text().startswith(f"{r.baseline.suvmax:.2f}")
    assert "PERCIST: PMD" in w.summary_label.text()


def test_crosshairs_linked_through_the_registration(fwin):
    w, rd, _ = fwin
    b, f = w.sessions["baseline"], w.sessions["followup"]
    matched = [r for r in rd.rows() if r.status == "matched"]
    assert matched
    for r in matched:
        b.set_crosshair(r.baseline.centre_world)
        # the follow-up crosshair lands on the same lesion (its follow-up centroid), within a CT voxel
        assert np.linalg.norm(f.crosshair - np.asarray(r.followup.centre_world)) < 6.0, r.key
        assert np.linalg.norm(f.crosshair - rd.carry_to_followup(b.crosshair)) < 3.5
    # scrolling the follow-up moves the baseline to the same anatomy
    before = b.crosshair.copy()
    f.scroll("axial", 3)
    assert np.linalg.norm(b.crosshair - rd.carry_to_baseline(f.crosshair)) < 3.5
    assert b.crosshair[2] > before[2] + 5
    # unlinked: raw world coordinates
    w.link_check.setChecked(False)
    b.set_crosshair(matched[0].baseline.centre_world)
    assert np.linalg.norm(f.crosshair - b.crosshair) < 3.5
    w.link_check.setChecked(True)
    assert np.linalg.norm(f.crosshair - rd.carry_to_followup(b.crosshair)) < 3.5


def test_selecting_the_new_lesion_shows_it_hot_at_follow_up_only(fwin):
    w, rd, _ = fwin
    rows = rd.rows()
    n = next(i for i, r in enumerate(rows) if r.status == "new")
    w.sessions["followup"].set_pet_preset("SUV 0-10")
    w.sessions["baseline"].set_pet_preset("SUV 0-10")
    w.table.selectRow(n)
    c_fu = np.asarray(rows[n].followup.centre_world)
    assert np.linalg.norm(w.sessions["followup"].crosshair - c_fu) < 3.5
    imgs = {k: w.views[k].render_now() for k in ("baseline", "followup")}
    # a point 3 mm off the crosshair lines (which are drawn over the image) on the lesion
    pts = {"followup": c_fu + [3.0, 3.0, 0.0], "baseline": rd.carry_to_baseline(c_fu) + [3.0, 3.0, 0.0]}
    hot = {k: _patch(imgs[k], *w.views[k].world_to_widget(pts[k])) for k in imgs}
    assert hot["followup"][0] > 150 and hot["followup"][0] > hot["followup"][2] + 60  # SUV ~8: orange
    assert hot["baseline"][0] < hot["followup"][0] - 60  # lung background at baseline: dark


def test_unlink_link_and_rename_from_the_table(fwin):
    w, rd, _ = fwin
    rows = rd.rows()
    m = next(i for i, r in enumerate(rows) if r.status == "matched")
    key, f_idx = rows[m].key, rows[m].followup_index
    w.table.clearSelection()
    w.table.selectRow(m)
    assert w.unlink_button.isEnabled() and not w.link_button.isEnabled()
    w.unlink_button.click()
    assert w.table.rowCount() == len(rows) + 1
    rows2 = rd.rows()
    gone = next(i for i, r in enumerate(rows2) if r.key == key)
    assert rows2[gone].status == "disappeared"
    new = next(i for i, r in enumerate(rows2) if r.status == "new" and r.followup_index == f_idx)
    w.table.clearSelection()
    w.table.selectRow(gone)
    w.table.selectionModel().select(w.table.model().index(new, 0),
                                    w.table.selectionModel().SelectionFlag.Select
                                    | w.table.selectionModel().SelectionFlag.Rows)
    assert w.link_button.isEnabled()
    w.link_button.click()
    assert w.table.rowCount() == len(rows)
    back = next(r for r in rd.rows() if r.key == key)
    assert back.status == "matched" and back.followup_index == f_idx
    w.table.clearSelection()
    w.table.selectRow(m)
    w.name_edit.setText("liver S7")
    w.rename_button.click()
    assert w.table.item(m, 0).text() == "liver S7"
