"""NormalizedError / keypoint_normalized_error against independent loops."""
import math
import time

import numpy as np
import pytest
from mmengine.evaluator import Evaluator
from mmengine.structures import InstanceData
from mmpose.structures import PoseDataSample

from gle.datasets import LANDMARK_NAMES
from gle.evaluation import NormalizedError, keypoint_normalized_error
from gle.evaluation.metric_tables import fmt, ne_table, short_name


def loop_ne(pred, gt, visible, bboxes):
    """Straightforward reference: per landmark, mean normalised distance over
    the visible instances; NaN when none."""
    num, num_kpts = visible.shape
    per_landmark = []
    for k in range(num_kpts):
        dists = []
        for i in range(num):
            if visible[i, k]:
                w = bboxes[i][2] - bboxes[i][0]
                h = bboxes[i][3] - bboxes[i][1]
                dx = (pred[i][k][0] - gt[i][k][0]) / w
                dy = (pred[i][k][1] - gt[i][k][1]) / h
                dists.append(math.sqrt(dx * dx + dy * dy))
        per_landmark.append(sum(dists) / len(dists) if dists else math.nan)
    finite = [v for v in per_landmark if not math.isnan(v)]
    return per_landmark, sum(finite) / len(finite)


def random_case(num=60, seed=0):
    rng = np.random.RandomState(seed)
    x1y1 = rng.uniform(0, 50, (num, 2))
    wh = rng.uniform(20, 200, (num, 2))
    bboxes = np.concatenate([x1y1, x1y1 + wh], axis=1).astype(np.float32)
    gt = (x1y1[:, None] + rng.uniform(0, 1, (num, 8, 2)) * wh[:, None])
    pred = gt + rng.normal(0, 10, gt.shape)
    visible = rng.uniform(size=(num, 8)) > 0.3
    visible[:, 5] = False  # a slot with no visible instance
    return pred.astype(np.float32), gt.astype(np.float32), visible, bboxes


def as_samples(pred, gt, visible, bboxes, clothes=None, variation=None):
    samples = []
    for i in range(len(gt)):
        sample = dict(
            gt_instances=dict(
                keypoints=gt[i:i + 1],
                keypoints_visible=visible[i:i + 1].astype(np.float32),
                bboxes=bboxes[i:i + 1]),
            pred_instances=dict(keypoints=pred[i:i + 1]))
        if clothes is not None:
            sample['clothes_type'] = int(clothes[i])
        if variation is not None:
            sample['variation_type'] = int(variation[i])
        samples.append(sample)
    return samples


def run_metric(samples, **kwargs):
    metric = NormalizedError(**kwargs)
    metric.process([], samples)
    return metric.evaluate(len(samples))


def test_functional_matches_loop():
    pred, gt, visible, bboxes = random_case()
    expected, expected_mean = loop_ne(
        pred.astype(np.float64), gt.astype(np.float64), visible,
        bboxes.astype(np.float64))
    ne, counts = keypoint_normalized_error(
        pred, gt, visible, bboxes, return_counts=True)
    np.testing.assert_allclose(ne, expected, rtol=1e-6)
    assert math.isnan(ne[5]) and counts[5] == 0
    np.testing.assert_array_equal(counts, visible.sum(0))
    assert np.nanmean(ne) == pytest.approx(expected_mean, rel=1e-6)


def test_metric_matches_loop_and_excludes_empty_landmark():
    pred, gt, visible, bboxes = random_case(seed=1)
    expected, expected_mean = loop_ne(
        pred.astype(np.float64), gt.astype(np.float64), visible,
        bboxes.astype(np.float64))
    metrics = run_metric(as_samples(pred, gt, visible, bboxes))
    ne_keys = {k for k in metrics if not k.startswith('LR/')}
    assert ne_keys == {'NE'} | {f'NE/{n}' for n in LANDMARK_NAMES}
    assert metrics['NE'] == pytest.approx(expected_mean, rel=1e-6)
    for name, value in zip(LANDMARK_NAMES, expected):
        if math.isnan(value):
            assert math.isnan(metrics[f'NE/{name}'])
        else:
            assert metrics[f'NE/{name}'] == pytest.approx(value, rel=1e-6)
    assert math.isnan(metrics['NE/right_waistline'])
    assert not math.isnan(metrics['NE'])


def test_perfect_prediction_is_exactly_zero():
    _, gt, visible, bboxes = random_case(seed=2)
    metrics = run_metric(as_samples(gt.copy(), gt, visible, bboxes))
    assert metrics['NE'] == 0.0
    assert metrics['NE/left_collar'] == 0.0


def test_invisible_landmarks_are_ignored():
    pred, gt, visible, bboxes = random_case(seed=3)
    # wild predictions where nothing is visible change nothing
    wild = np.where(visible[..., None], pred, 1e6).astype(np.float32)
    a = run_metric(as_samples(pred, gt, visible, bboxes))
    b = run_metric(as_samples(wild, gt, visible, bboxes))
    assert a['NE'] == b['NE']


def test_breakdowns_on_hand_made_example():
    # box 100 wide, 200 high; errors chosen to give round distances
    box = [0, 0, 100, 200]
    gt = np.full((4, 8, 2), 50, dtype=np.float32)
    pred = gt.copy()
    visible = np.zeros((4, 8), dtype=bool)
    # sample 0: upper, variation 1, left_collar off by (10, 0) -> 0.1
    visible[0, [0, 1, 2, 3, 6, 7]] = True
    pred[0, 0] += (10, 0)
    # sample 1: lower, variation 2, left_hem off by (0, 40) -> 0.2
    visible[1, [4, 5, 6, 7]] = True
    pred[1, 6] += (0, 40)
    # sample 2: full, variation 1, right_hem off by (30, 0) -> 0.3 (visible)
    #           and right_collar off by (50, 0), not visible -> ignored
    visible[2] = True
    visible[2, 1] = False
    pred[2, 7] += (30, 0)
    pred[2, 1] += (50, 0)
    # sample 3: full, variation 2, nothing wrong
    visible[3] = True
    bboxes = np.array([box] * 4, dtype=np.float32)
    clothes = [1, 2, 3, 3]
    variation = [1, 2, 1, 2]
    m = run_metric(as_samples(pred, gt, visible, bboxes, clothes, variation))

    # per landmark over all samples
    assert m['NE/left_collar'] == pytest.approx(0.1 / 3)  # samples 0, 2, 3
    assert m['NE/right_collar'] == pytest.approx(0.0)  # samples 0, 3
    assert m['NE/left_hem'] == pytest.approx(0.2 / 4)
    assert m['NE/right_hem'] == pytest.approx(0.3 / 4)
    assert m['NE'] == pytest.approx((0.1 / 3 + 0.2 / 4 + 0.3 / 4) / 8)
    # per clothes type: mean over the landmarks visible in that subset
    assert m['NE/upper'] == pytest.approx(0.1 / 6)
    assert m['NE/lower'] == pytest.approx(0.2 / 4)
    assert m['NE/full'] == pytest.approx((0.3 / 2) / 8)
    # per variation type
    v1 = (0.1 / 2 + 0.3 / 2) / 8  # samples 0 and 2
    v2 = (0.2 / 2) / 8  # samples 1 and 3
    assert m['NE/variation_1'] == pytest.approx(v1)
    assert m['NE/variation_2'] == pytest.approx(v2)
    assert 'NE/variation_3' not in m


def test_no_breakdown_without_types_and_zero_variation():
    pred, gt, visible, bboxes = random_case(num=6, seed=4)
    m = run_metric(as_samples(pred, gt, visible, bboxes))
    assert not any(k in m for k in ('NE/upper', 'NE/variation_1'))
    # DeepFashion-C: variation 0 -> no variation breakdown
    m = run_metric(as_samples(pred, gt, visible, bboxes, [1] * 6, [0] * 6))
    assert 'NE/upper' in m and not any('variation' in k for k in m)
    m = run_metric(
        as_samples(pred, gt, visible, bboxes, [1] * 6, [1] * 6),
        breakdown=False)
    assert 'NE/upper' not in m


def test_nothing_visible_gives_nan():
    pred, gt, visible, bboxes = random_case(num=4, seed=5)
    visible[:] = False
    bboxes[0] = 0  # a zero box is fine when nothing of it is visible
    m = run_metric(as_samples(pred, gt, visible, bboxes))
    assert math.isnan(m['NE'])


def test_zero_box_with_visible_landmark_raises():
    pred, gt, visible, bboxes = random_case(num=4, seed=6)
    visible[0, 0] = True
    bboxes[0] = [5, 5, 5, 9]
    with pytest.raises(ValueError, match='zero or negative width'):
        keypoint_normalized_error(pred, gt, visible, bboxes)


def test_visible_shapes_are_handled():
    pred, gt, visible, bboxes = random_case(num=5, seed=7)
    ref = run_metric(as_samples(pred, gt, visible, bboxes))
    samples = as_samples(pred, gt, visible, bboxes)
    for s in samples:  # (N, K, 2)-shaped visibility: first channel counts
        vis = s['gt_instances']['keypoints_visible']
        s['gt_instances']['keypoints_visible'] = np.stack([vis, 1 - vis], -1)
    assert run_metric(samples)['NE'] == ref['NE']


def test_padded_samples_are_dropped_by_size():
    pred, gt, visible, bboxes = random_case(num=10, seed=8)
    samples = as_samples(pred, gt, visible, bboxes)
    metric = NormalizedError()
    # a dataloader padding the last batch with 2 repeats of other samples
    metric.process([],
                   samples + [as_samples(gt, pred, visible, bboxes)[0]] * 2)
    assert metric.evaluate(10)['NE'] == run_metric(samples)['NE']


def test_evaluator_with_pose_data_samples():
    pred, gt, visible, bboxes = random_case(num=8, seed=9)
    _, expected_mean = loop_ne(
        pred.astype(np.float64), gt.astype(np.float64), visible,
        bboxes.astype(np.float64))
    evaluator = Evaluator(NormalizedError())
    evaluator.dataset_meta = dict(
        keypoint_id2name={i: n
                          for i, n in enumerate(LANDMARK_NAMES)})
    for start in (0, 4):
        batch = []
        for i in range(start, start + 4):
            sample = PoseDataSample(
                metainfo=dict(clothes_type=3, variation_type=2))
            sample.gt_instances = InstanceData(
                keypoints=gt[i:i + 1],
                keypoints_visible=visible[i:i + 1].astype(np.float32),
                bboxes=bboxes[i:i + 1])
            sample.pred_instances = InstanceData(keypoints=pred[i:i + 1])
            batch.append(sample)
        evaluator.process(data_samples=batch, data_batch=None)
    metrics = evaluator.evaluate(8)
    assert metrics['NE'] == pytest.approx(expected_mean, rel=1e-6)
    assert metrics['NE/full'] == pytest.approx(expected_mean, rel=1e-6)
    assert metrics['NE/variation_2'] == pytest.approx(expected_mean, rel=1e-6)


def test_forty_thousand_samples_are_fast():
    pred, gt, visible, bboxes = random_case(num=40000, seed=10)
    samples = as_samples(pred, gt, visible, bboxes, [1] * 40000, [3] * 40000)
    start = time.perf_counter()
    metrics = run_metric(samples)
    assert time.perf_counter() - start < 10
    ne = keypoint_normalized_error(pred, gt, visible, bboxes)
    assert metrics['NE'] == pytest.approx(np.nanmean(ne))


def test_paper_style_formatting():
    assert fmt(0.0312) == '.0312'
    assert fmt(float('nan')) == '-'
    assert short_name('left_waistline') == 'L.Waistline'
    assert short_name('right_hem') == 'R.Hem'
    table = ne_table(
        list(LANDMARK_NAMES),
        [('all', np.array([0.0312] * 7 + [np.nan]), 0.0312,
          np.array([3] * 7 + [0]))])
    header = table.splitlines()[1].split()
    assert header == [
        'Subset', 'L.Collar', 'R.Collar', 'L.Sleeve', 'R.Sleeve',
        'L.Waistline', 'R.Waistline', 'L.Hem', 'R.Hem', 'Avg'
    ]
    assert table.splitlines()[2].split(
    ) == ['all'] + ['.0312'] * 7 + ['-', '.0312']
