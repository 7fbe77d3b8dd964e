import numpy as np
import pytest
from mmpose.datasets.transforms import GenerateTarget
from mmpose.registry import KEYPOINT_CODECS

import gle  # noqa: F401  (registration)
from gle.codecs import ExpDistanceHeatmap


def _codec(**kwargs):
    cfg = dict(
        type='ExpDistanceHeatmap',
        input_size=(224, 224),
        heatmap_size=(224, 224))
    cfg.update(kwargs)
    return KEYPOINT_CODECS.build(cfg)


def test_registered_with_defaults():
    codec = _codec()
    assert isinstance(codec, ExpDistanceHeatmap)
    assert codec.tau == 16.0
    with pytest.raises(ValueError):
        _codec(tau=0)


def test_encode_values():
    codec = _codec()
    kpts = np.array([[[100., 50.], [10.3, 200.8]]], dtype=np.float32)
    enc = codec.encode(kpts, np.ones((1, 2), dtype=np.float32))
    hm = enc['heatmaps']
    assert hm.shape == (2, 224, 224) and hm.dtype == np.float32
    np.testing.assert_array_equal(enc['keypoint_weights'], [[1, 1]])
    assert hm[0, 50, 100] == 1.0 and hm[0].max() == 1.0
    # exp(-d / 16) with the Euclidean, not squared, distance
    np.testing.assert_allclose(hm[0, 50, 116], np.exp(-1.), rtol=1e-6)
    np.testing.assert_allclose(hm[0, 62, 116], np.exp(-20. / 16), rtol=1e-6)
    d = np.hypot(0 - 10.3, 0 - 200.8)
    np.testing.assert_allclose(hm[1, 0, 0], np.exp(-d / 16), rtol=1e-5)


def test_invisible_and_outside_are_empty():
    codec = _codec()
    kpts = np.array([[[50., 50.], [-3., 40.], [60., 224.], [70., 80.]]],
                    dtype=np.float32)
    vis = np.array([[0., 1., 1., 1.]], dtype=np.float32)
    enc = codec.encode(kpts, vis)
    np.testing.assert_array_equal(enc['keypoint_weights'], [[0, 0, 0, 1]])
    assert not enc['heatmaps'][:3].any()
    assert enc['heatmaps'][3].max() == 1.0


@pytest.mark.parametrize('point', [(100.3, 50.7), (17.5, 203.2), (111.9, 0.4)])
def test_decode_recovers_subpixel_landmark(point):
    codec = _codec()
    enc = codec.encode(np.array([[point]], dtype=np.float32))
    kpts, scores = codec.decode(enc['heatmaps'])
    assert kpts.shape == (1, 1, 2) and scores.shape == (1, 1)
    assert np.linalg.norm(kpts[0, 0] - point) < 0.5
    assert scores[0, 0] > 0.95


def test_decode_scales_back_to_input_size():
    codec = _codec(heatmap_size=(56, 56), tau=4.0)
    point = np.array([150.0, 37.0])
    enc = codec.encode(point[None, None].astype(np.float32))
    assert enc['heatmaps'].shape == (1, 56, 56)
    kpts, _ = codec.decode(enc['heatmaps'])
    assert np.linalg.norm(kpts[0, 0] - point) <= 0.25 * 4 * np.sqrt(2)


def test_instances_merge_by_maximum():
    codec = _codec()
    kpts = np.array([[[20., 20.]], [[200., 200.]]], dtype=np.float32)
    hm = codec.encode(kpts)['heatmaps'][0]
    assert hm[20, 20] == 1.0 and hm[200, 200] == 1.0


def test_generate_target_transform():
    transform = GenerateTarget(
        encoder=dict(
            type='ExpDistanceHeatmap',
            input_size=(224, 224),
            heatmap_size=(224, 224)))
    results = transform(
        dict(
            keypoints=np.array([[[30., 40.], [0., 0.]]], dtype=np.float32),
            keypoints_visible=np.array([[1., 0.]], dtype=np.float32)))
    assert results['heatmaps'].shape == (2, 224, 224)
    np.testing.assert_array_equal(results['keypoint_weights'], [[1, 0]])
