"""The plugin through the host (shared contract suite) and its quantitative accuracy."""

import numpy as np
import pytest

from workstation.testing.recon_contract import PluginContract
from listmode_osem.plugin import run, trilinear_resample
from workstation.core.geometry import ImageGeometry
from workstation.recon.api import NullContext, PluginInputError, ReconRequest

FAST = {"iterations": 2, "subsets": 2, "voxel_size": 6.0, "matrix": 32}


class TestListmodeOsemContract(PluginContract):
    plugin_id = "listmode-osem"
    fast_parameters = FAST
    slow_parameters = {"iterations": 100, "subsets": 16, "voxel_size": 6.0, "matrix": 32}

    @pytest.fixture(autouse=True)
    def _listmode(self, demo_listmode):
        self._demo = demo_listmode

    def make_inputs(self, tmp_path):
        path, _, _, mu, mg = self._demo
        return {"listmode": path}, {"mu_map": (mu, mg)}


def _request(demo, params, with_mu=True):
    path, _, _, mu, mg = demo
    p = {"iterations": 3, "subsets": 4, "voxel_size": 4.0, "matrix": 48, "tof": True, "post_filter_fwhm": 0.0,
         "randoms": True, "max_events": 0}
    p.update(params)
    arrays = {"mu_map": mu} if with_mu else {}
    return ReconRequest("t", "listmode-osem", p, {"listmode": path}, _arrays=arrays,
                        array_geometries={"mu_map": mg} if with_mu else {})


def _regions(geom):
    w = geom.kji_to_world(np.moveaxis(np.indices(geom.shape), 0, -1))
    x, y, z = w[..., 0], w[..., 1], w[..., 2]
    r = np.hypot(x, y)
    bg = (r < 60) & (np.hypot(x - 30, y + 20) > 22) & (np.hypot(x + 35, y - 10) > 18) & (np.abs(z) < 12)
    return bg, r > 95


@pytest.mark.parametrize("tof", [True, False])
def test_background_activity_calibrated(demo_listmode, tof):
    """Mean of the uniform background within 7 % of the true 10 kBq/mL (attenuation corrected)."""
    ctx = NullContext()
    res = run(_request(demo_listmode, {"tof": tof}), ctx)
    bg, outside = _regions(res.geometry)
    mean = float(res.array[bg].mean())
    print(f"tof={tof}: background {mean:.0f} Bq/mL (truth 10000), outside {res.array[outside].mean():.0f}")
    assert mean == pytest.approx(10000.0, rel=0.07)
    assert res.array[outside].mean() < 0.03 * mean
    assert [it for it, _ in ctx.partials] == [1, 2, 3]
    assert all(b >= a for a, b in zip(ctx.fractions, ctx.fractions[1:]))
    assert res.units == "BQML" and res.provenance["attenuation"] is True


def test_without_attenuation_correction_is_low(demo_listmode):
    res = run(_request(demo_listmode, {}, with_mu=False), NullContext())
    bg, _ = _regions(res.geometry)
    assert res.array[bg].mean() < 0.5 * 10000.0  # 16 cm of water: attenuation factor ~0.2-0.4


def test_bad_input_is_a_plugin_input_error(tmp_path):
    junk = tmp_path / "junk.petsird"
    junk.write_bytes(b"\x00" * 100)
    req = ReconRequest("t", "listmode-osem", {"iterations": 1, "subsets": 1, "voxel_size": 4.0, "matrix": 16,
                                              "tof": True, "post_filter_fwhm": 0.0, "randoms": True,
                                              "max_events": 0}, {"listmode": junk})
    with pytest.raises(PluginInputError, match="junk.petsird"):
        run(req, NullContext())


def test_trilinear_resample_through_world_coordinates():
    """A linear ramp along world x is reproduced exactly on a shifted, finer, flipped grid."""
    src_g = ImageGeometry((5, 6, 7), (4.0, 4.0, 4.0), (-12.0, -10.0, -8.0))
    w = src_g.kji_to_world(np.moveaxis(np.indices(src_g.shape), 0, -1))
    src = 2.0 * w[..., 0] + 0.5 * w[..., 2]
    flip = np.diag([-1.0, 1.0, 1.0])
    dst_g = ImageGeometry((4, 5, 6), (2.0, 2.0, 2.0), (5.0, -4.0, -2.0), flip)
    out = trilinear_resample(src, src_g, dst_g)
    wd = dst_g.kji_to_world(np.moveaxis(np.indices(dst_g.shape), 0, -1))
    np.testing.assert_allclose(out, 2.0 * wd[..., 0] + 0.5 * wd[..., 2], atol=1e-9)


def test_device_recorded_in_provenance_and_gpu_without_device_is_an_input_error(demo_listmode):
    """device=cpu runs on the CPU and says so; device=gpu with no CUDA device fails with a clear message."""
    from listmode_osem import gpu

    small = {"iterations": 1, "subsets": 1, "voxel_size": 8.0, "matrix": 16, "max_events": 2000}
    res = run(_request(demo_listmode, {**small, "device": "cpu"}), NullContext())
    assert res.provenance["device"] == "cpu"
    if gpu.cuda_available()[0]:
        res_gpu = run(_request(demo_listmode, {**small, "device": "gpu"}), NullContext())
        assert res_gpu.provenance["device"] == "gpu"
        np.testing.assert_allclose(res_gpu.array, res.array, rtol=1e-3, atol=1e-4 * float(res.array.max()))
    else:
        with pytest.raises(PluginInputError, match="device=gpu requested but"):
            run(_request(demo_listmode, {**small, "device": "gpu"}), NullContext())
