"""Comparing the results of two FashionLandmarkInferencer backends: the
same JSON structure, boxes, clothes types, present flags, and landmarks
within 0.5 px (but for near-equal heatmap peaks, ``MAX_TIES``)."""
import os.path as osp

import numpy as np
from deploy_checkpoints import REPO, SAMPLE_DIR

#: the two photos of tests/data and two synthetic demo images
IMAGES = (
    osp.join(SAMPLE_DIR, 'img_00000128.jpg'),
    osp.join(SAMPLE_DIR, 'img_00000132.jpg'),
    osp.join(REPO, 'demo', 'data', 'fashion_demo', 'img', 'Demo_Dress',
             'img_00000001.jpg'),
    osp.join(REPO, 'demo', 'data', 'fashion_demo', 'img', 'Demo_Blouse',
             'img_00000002.jpg'),
)
LANDMARK_TOL = 0.5  # pixels
# the onnxruntime detector's boxes and scores are 1e-2 px / 1e-5 away from
# PyTorch's (docs/deployment.md); JSON rounds boxes to 0.01 px and scores
# to 1e-4
BOX_TOL = 0.05
DET_SCORE_TOL = 2e-4
# landmark scores (heatmap maxima) move with the box the crop was made from
KPT_SCORE_TOL = 2e-3
# random weights give some degenerate boxes (e.g. 7 x 224 px on
# img_00000132.jpg) two heatmap peaks of one landmark within 1e-4 of each
# other, which the 1e-5 differences of the two runtimes may order either
# way: at most this many landmarks per image may then sit elsewhere, with
# the same score (a trained model's peaks are not tied)
MAX_TIES = 1


def _nearest(item: dict, candidates: list) -> int:
    gaps = [
        np.abs(np.subtract(item['bbox'], c['bbox'])).max() for c in candidates
    ]
    return int(np.argmin(gaps))


def assert_same_result(ours: dict,
                       ref: dict,
                       box_tol: float = 0.,
                       max_ties: int = MAX_TIES) -> int:
    """``ours`` (one image's JSON dict) is ``ref`` up to the tolerances.

    Items are paired by box, not by position: the random detector scores
    some boxes exactly 1.0 (img_00000132.jpg), and boxes with equal scores
    come out of the two runtimes' sorts in either order.

    Returns:
        int: The number of items.
    """
    assert ours.keys() == ref.keys()
    assert {k: v for k, v in ours.items() if k != 'instances'} == \
        {k: v for k, v in ref.items() if k != 'instances'}
    assert len(ours['instances']) == len(ref['instances'])
    remaining = list(ref['instances'])
    ties = []
    for item in ours['instances']:
        other = remaining.pop(_nearest(item, remaining))
        assert item.keys() == other.keys()
        np.testing.assert_allclose(item['bbox'], other['bbox'], atol=box_tol)
        assert item['clothes_type'] == other['clothes_type']
        assert item['box_source'] == other['box_source']
        if other['det_score'] is None:
            assert item['det_score'] is None
        else:
            assert abs(item['det_score'] - other['det_score']) <= DET_SCORE_TOL
        assert len(item['landmarks']) == len(other['landmarks']) == 8
        for a, b in zip(item['landmarks'], other['landmarks']):
            assert a.keys() == b.keys()
            assert (a['name'], a['present']) == (b['name'], b['present'])
            if not b['present']:
                assert a == b  # x, y, score all None
                continue
            assert abs(a['score'] - b['score']) <= KPT_SCORE_TOL
            if max(abs(a['x'] - b['x']), abs(a['y'] - b['y'])) > LANDMARK_TOL:
                ties.append((item['bbox'], a, b))
    assert len(ties) <= max_ties, ties
    return len(ours['instances'])


def differing_pixels(a: np.ndarray, b: np.ndarray) -> float:
    """The fraction of pixels where two drawings of one image differ."""
    assert a.shape == b.shape
    return float(np.any(a != b, axis=-1).mean())
