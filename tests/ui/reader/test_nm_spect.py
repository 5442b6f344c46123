"""A SPECT stored as NM (a reconstructed NM image, multi-frame RECON TOMO) opens like the PT-coded
Lu-177 SPECT: the PET hanging protocol, its units and nuclide shown. The NM file is built in code."""

from types import SimpleNamespace

import numpy as np
import pytest

from workstation.analysis.reading import study_open
from workstation.testing.dicom_factory import write_nm_spect

pytestmark = [pytest.mark.gui]

SLOPE = 0.5


def _stored():
    a = np.zeros((20, 32, 32), np.uint16)
    a[5:15, 5:27, 5:27] = 100  # body
    a[8:12, 10:20, 12:18] += 1000  # a hot block, off centre (left-right and anterior-posterior asymmetric)
    return a


@pytest.fixture(scope="module")
def nm_folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("nm")
    write_nm_spect(root / "nm" / "spect.dcm", _stored(), origin=(-64.0, -64.0, -40.0), spacing_ijk=(4.0, 4.0, 4.0),
                   slope=SLOPE)
    return root


def test_nm_spect_opens_in_the_pet_protocol_with_units_and_nuclide(nm_folder):
    s = study_open.open_folder(nm_folder, mip_frames=4)
    assert s.anatomical is None and s.pet.modality == "NM" and s.pet.units == "BQML"
    assert s.layout == "pet"
    # values: stored × RescaleSlope, frame k at z = -40 + 4k (the detector's position along the normal)
    stored = _stored()
    np.testing.assert_allclose(s.pet.array, stored * SLOPE)
    hot = np.argwhere(s.pet.array == s.pet.array.max())
    world = s.pet.geometry.kji_to_world(hot.astype(float))
    assert world[:, 2].min() == pytest.approx(-40 + 4 * 8) and world[:, 2].max() == pytest.approx(-40 + 4 * 11)
    assert world[:, 0].min() == pytest.approx(-64 + 4 * 12) and world[:, 1].min() == pytest.approx(-64 + 4 * 10)
    line = s.pet_acquisition_line()
    assert "Tc-99m" in line and f"T1/2 {21624.12 / 3600:.2f} h" in line and "BQML" in line
    assert line in s.overlay_lines()
    assert not any("not PT" in w for w in s.pet.pet.warnings)


def test_nm_is_paired_only_when_the_study_has_no_pt():
    row = lambda m, uid, n=10: SimpleNamespace(modality=m, series_uid=uid, frame_of_reference_uid="1", n_instances=n)
    pet, anat = study_open.choose_pair([row("NM", "nm"), row("CT", "ct")])
    assert pet.series_uid == "nm" and anat.series_uid == "ct"
    pet, _ = study_open.choose_pair([row("NM", "nm", 200), row("PT", "pt", 5), row("CT", "ct")])
    assert pet.series_uid == "pt"  # a PET wins over an NM series
    pet, _ = study_open.choose_pair([row("NM", "nm", 200), row("PT", "pt", 5)], pet_uid="nm")
    assert pet.series_uid == "nm"  # unless the reader chose the NM one


def test_browser_offers_the_nm_series_as_the_functional_one():
    from workstation.ui.browser.study_browser import pair_candidates

    rows = [SimpleNamespace(modality="NM", series_uid="nm", is_image=True),
            SimpleNamespace(modality="CT", series_uid="ct", is_image=True)]
    pets, anats = pair_candidates(rows)
    assert [s.series_uid for s in pets] == ["nm"] and [s.series_uid for s in anats] == ["ct"]


def test_main_window_reads_the_nm_spect_like_a_pet_only_study(nm_folder, qtbot):
    from workstation.ui.reader.main_window import MainWindow

    w = MainWindow(db=None)
    qtbot.addWidget(w)
    w.resize(1200, 900)
    w.show()
    w.load_folder(str(nm_folder))
    qtbot.waitUntil(lambda: w.session is not None, timeout=120_000)
    assert set(w.visible_views()) == {"pet-axial", "pet-coronal", "pet-sagittal", "mip"}
    assert not w.register_button.isEnabled() and not w.ct_preset_box.isEnabled()
    overlays = []
    for key in w.visible_views():
        w.views[key].render_now()
        overlays.append(w.views[key].cell.view.corner["top-left"].GetInput() or "")
    assert any("Tc-99m" in o and "BQML" in o for o in overlays), overlays  # nuclide and units in a view


def test_spect_views_are_titled_spect_and_pet_views_pet():
    """The functional tiles of a SPECT stored as NM say SPECT, not PET; a PET study's say PET."""
    from workstation.analysis.reading import session as fusion
    from workstation.render.scene import CellRenderer
    from workstation.testing import synthetic_study as syn

    pet = syn.make_pet()
    s = fusion.ReadingSession(None, pet, mip_frames=2)
    assert CellRenderer("pet", "axial").title(s) == "PET"
    pet.modality = "NM"
    assert CellRenderer("pet", "coronal").title(s) == "SPECT" and s.functional_label == "SPECT"
    assert CellRenderer("mip").title(s) == "MIP"
