"""gle.benchmark.measure: the FLOP count the GFLOP/s figures rest on."""
import pytest

from gle.benchmark import count_flops


def test_flop_count_matches_the_reference():
    fl = count_flops(2, 224)  # meta device: nothing is computed
    assert fl['fwd_gmac_backbone'] == pytest.approx(14.0, abs=0.05)
    assert fl['fwd_gmac_gle'] == pytest.approx(2 * 4.4, abs=0.1)
    assert fl['fwd_gmac_decoder'] == pytest.approx(1.1, abs=0.1)
    assert fl['fwd_bwd_flops'] > 2.5 * fl['fwd_flops']
    assert fl['fwd_gmac_total'] == pytest.approx(
        fl['fwd_gmac_backbone'] + fl['fwd_gmac_gle'] + fl['fwd_gmac_decoder'],
        rel=1e-3)
