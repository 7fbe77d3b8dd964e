import numpy as np
import pytest
from mmpose.datasets.transforms import GetBBoxCenterScale, TopdownAffine

from gle.datasets.transforms import TopdownStretchAffine


def _results(bbox, keypoints, img_shape=(120, 200)):
    img = np.zeros(img_shape + (3, ), np.uint8)
    x1, y1, x2, y2 = bbox
    img[int(y1):int(y2), int(x1):int(x2)] = 255  # the box region is white
    results = dict(
        img=img,
        img_path='synthetic.jpg',
        bbox=np.array([bbox], np.float32),
        keypoints=np.array([keypoints], np.float32),
        keypoints_visible=np.ones((1, len(keypoints)), np.float32))
    return GetBBoxCenterScale(padding=1.0)(results)


def test_box_fills_the_input_without_keeping_aspect_ratio():
    # a wide 100x20 box: stretched, it must fill the whole 64x64 input
    results = _results((50., 40., 150., 60.),
                       [[50., 40.], [150., 60.], [100., 50.]])
    out = TopdownStretchAffine(input_size=(64, 64))(results)
    assert out['img'].shape == (64, 64, 3)
    # every pixel away from the border comes from inside the white box (the
    # last rows interpolate with the black row below the box: 20 px are
    # stretched to 64)
    assert out['img'][4:-4, 4:-4].min() == 255
    kpts = out['transformed_keypoints'][0]
    np.testing.assert_allclose(kpts[0], [0., 0.], atol=1e-4)  # top-left corner
    np.testing.assert_allclose(kpts[1], [64., 64.], atol=1e-4)  # bottom-right
    np.testing.assert_allclose(kpts[2], [32., 32.], atol=1e-4)  # centre
    np.testing.assert_allclose(out['input_scale'], [100., 20.])

    # mmpose's aspect-keeping crop pads the same box: the corners do not reach
    # (0, 0)
    padded = TopdownAffine(input_size=(64, 64))(
        _results((50., 40., 150., 60.), [[50., 40.]]))
    assert abs(padded['transformed_keypoints'][0, 0, 1]) > 10


def test_predictions_map_back_per_axis_like_topdown_estimator():
    rng = np.random.default_rng(0)
    bbox = (30., 10., 90., 110.)  # 60 x 100 box
    gt = rng.uniform([30, 10], [90, 110], size=(8, 2)).astype(np.float32)
    out = TopdownStretchAffine(input_size=(48, 96))(_results(bbox, gt))
    # the inverse used by TopdownPoseEstimator.add_pred_to_datasample
    w, h = out['input_size']
    back = (
        out['transformed_keypoints'][0] / np.array([w, h]) * out['input_scale']
        + out['input_center'] - 0.5 * out['input_scale'])
    np.testing.assert_allclose(back, gt, atol=1e-3)


def test_rotation_is_applied_about_the_box_centre():
    results = _results((40., 20., 120., 100.),
                       [[80., 20.]])  # top-centre point
    results['bbox_rotation'] = np.array([90.], np.float32)
    out = TopdownStretchAffine(input_size=(64, 64))(results)
    # rotated by 90 degrees the top-centre point lands on a side centre
    kpt = out['transformed_keypoints'][0, 0]
    assert min(abs(kpt[0] - 0.), abs(kpt[0] - 64.)) < 1e-3
    assert abs(kpt[1] - 32.) < 1e-3


def test_empty_box_is_a_clear_error():
    results = _results((50., 40., 50., 60.), [[50., 40.]])
    with pytest.raises(ValueError, match='empty bbox.*synthetic.jpg'):
        TopdownStretchAffine(input_size=(64, 64))(results)


@pytest.mark.parametrize('use_udp', [False, True])
@pytest.mark.parametrize(
    'bbox, input_size, rotation',
    [
        ((40., 20., 120., 100.), (64, 64), 0.),  # square box, square input
        ((40., 20., 120., 100.), (64, 64), 30.),  # ... rotated
        ((20., 30., 180., 110.), (64, 32), 0.),  # box already 2:1 like input
    ])
def test_agrees_with_topdown_affine_where_stretching_keeps_aspect(
        bbox, input_size, rotation, use_udp):
    """Where the box already has the input's aspect ratio, stretching and
    mmpose's aspect-keeping crop are the same warp: the repeated part of
    TopdownAffine.transform must give the same image and keypoints."""
    rng = np.random.default_rng(0)
    x1, y1, x2, y2 = bbox
    keypoints = rng.uniform([x1, y1], [x2, y2], size=(8, 2))
    img = rng.integers(0, 256, (140, 200, 3), dtype=np.uint8)

    def results():
        res = _results(bbox, keypoints, img_shape=img.shape[:2])
        res['img'] = img.copy()
        res['bbox_rotation'] = np.array([rotation], np.float32)
        return res

    ours = TopdownStretchAffine(
        input_size=input_size, use_udp=use_udp)(
            results())
    ref = TopdownAffine(input_size=input_size, use_udp=use_udp)(results())
    np.testing.assert_array_equal(ours['img'], ref['img'])
    np.testing.assert_allclose(
        ours['transformed_keypoints'], ref['transformed_keypoints'], atol=1e-4)
    np.testing.assert_allclose(ours['input_scale'], ref['input_scale'])
    np.testing.assert_allclose(ours['input_center'], ref['input_center'])
    assert ours['input_size'] == ref['input_size']
