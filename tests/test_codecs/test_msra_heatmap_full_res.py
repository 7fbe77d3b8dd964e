"""MSRAHeatmap at stride 1, as used by the base model config."""
import numpy as np
import pytest
from mmpose.codecs import MSRAHeatmap


@pytest.mark.parametrize('point', [(100.3, 50.7), (17.5, 203.2), (111.9, 3.4)])
def test_full_resolution_round_trip(point):
    codec = MSRAHeatmap(
        input_size=(224, 224), heatmap_size=(224, 224), sigma=8)
    enc = codec.encode(np.array([[point]], dtype=np.float32))
    assert enc['heatmaps'].shape == (1, 224, 224)
    kpts, scores = codec.decode(enc['heatmaps'])
    # the encoder centres the Gaussian on the nearest pixel: <= 0.5 px/axis
    assert np.all(np.abs(kpts[0, 0] - point) <= 0.5)
    assert scores[0, 0] == pytest.approx(1.0)
