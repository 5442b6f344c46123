"""HU -> mu at 511 keV, against the hand-worked bilinear formula."""

import numpy as np
import pytest

from workstation.recon.attenuation import hu_to_mu_511


@pytest.mark.parametrize("hu, mu", [(-1000, 0.0), (-2000, 0.0), (-500, 0.048), (0, 0.096), (1000, 0.172),
                                    (500, 0.134), (2000, 0.248)])
def test_bilinear(hu, mu):
    assert hu_to_mu_511(np.array([hu]))[0] == pytest.approx(mu, abs=1e-6)


def test_continuous_at_zero_and_shape_kept():
    a = hu_to_mu_511(np.array([[-1e-6, 0.0, 1e-6]]))
    assert a.shape == (1, 3) and np.ptp(a) < 1e-6
