"""Left/right outcome metrics (LR/ keys of NormalizedError, the dump's
per-pair outcomes) on hand-made predictions of every class."""
import json
import math

import numpy as np
import pytest
from mmengine.logging import MMLogger
from mmpose.datasets.datasets.utils import parse_pose_metainfo

from gle.datasets import FASHION_METAINFO
from gle.evaluation import DumpFashionPredictions, NormalizedError
from gle.evaluation.left_right import (COLLAPSED, CORRECT, NOT_EVALUATED,
                                       ONE_OFF, SWAPPED, left_right_outcomes,
                                       left_right_rates)
from gle.utils import dataset_pairs, flip_pairs, load_pair_layout, pair_name

GLE_PAIRS = [(0, 1), (2, 3), (4, 5), (6, 7)]
BOX = [0, 0, 100, 100]
# ground truth of every pair: left at x=20, right at x=80 (separation 0.6)
LEFT, RIGHT = (20., 50.), (80., 50.)
# predicted (left, right) of each outcome
CASES = {
    'correct': ((22, 50), (79, 52)),
    'swapped': ((80, 50), (20, 50)),
    # left on the right truth, right next to it: 3 px apart < 0.25 * 60
    'collapsed': ((78, 50), (81, 50)),
    # left on the wrong side but 30 px away from the right one
    'one_off': ((65, 50), (95, 50)),
}


def sample(pred_pairs, visible_pairs=(0, 1, 2, 3), clothes=3, variation=1):
    """One full-body item; ``pred_pairs`` maps pair index -> case name."""
    gt = np.zeros((1, 8, 2), dtype=np.float32)
    pred = np.zeros((1, 8, 2), dtype=np.float32)
    visible = np.zeros((1, 8), dtype=np.float32)
    for p, (left, right) in enumerate(GLE_PAIRS):
        gt[0, left], gt[0, right] = LEFT, RIGHT
        pred[0, left], pred[0, right] = CASES[pred_pairs.get(p, 'correct')]
        if p in visible_pairs:
            visible[0, [left, right]] = 1
    return dict(
        gt_instances=dict(
            keypoints=gt,
            keypoints_visible=visible,
            bboxes=np.array([BOX], dtype=np.float32)),
        pred_instances=dict(
            keypoints=pred, keypoint_scores=np.ones((1, 8), np.float32)),
        clothes_type=clothes,
        variation_type=variation)


def evaluate(samples, **kwargs):
    metric = NormalizedError(**kwargs)
    metric.process([], samples)
    return metric.evaluate(len(samples))


def test_each_outcome_alone_gives_rate_one():
    for name in CASES:
        m = evaluate([sample({p: name for p in range(4)})])
        assert m[f'LR/{name}'] == 1.0
        assert m['LR/num_pairs'] == 4
        for other in set(CASES) - {name}:
            assert m[f'LR/{other}'] == 0.0
        wrong = {'correct': 0, 'swapped': 1, 'collapsed': .5, 'one_off': .5}
        assert m['LR/wrong_side'] == wrong[name]
        for pair in ('collar', 'sleeve', 'waistline', 'hem'):
            assert m[f'LR/{pair}/{name}'] == 1.0


def test_mixed_outcomes_per_pair_subset_and_variation():
    samples = [
        # upper, variation 1: collar swapped, sleeve collapsed, hem correct
        sample({
            0: 'swapped',
            1: 'collapsed'
        }, (0, 1, 3),
               clothes=1,
               variation=1),
        # lower, variation 2: waistline one-off, hem collapsed
        sample({
            2: 'one_off',
            3: 'collapsed'
        }, (2, 3), clothes=2, variation=2),
        # full, variation 1: everything correct but the hem (swapped)
        sample({3: 'swapped'}, clothes=3, variation=1),
    ]
    m = evaluate(samples)
    assert m['LR/num_pairs'] == 3 + 2 + 4
    assert m['LR/correct'] == pytest.approx(4 / 9)  # hem, collar, slv, wst
    assert m['LR/swapped'] == pytest.approx(2 / 9)
    assert m['LR/collapsed'] == pytest.approx(2 / 9)
    assert m['LR/one_off'] == pytest.approx(1 / 9)
    # wrong landmarks: 2 + 1 | 1 + 1 | 2 = 7 of 18
    assert m['LR/wrong_side'] == pytest.approx(7 / 18)
    assert m['LR/collar/swapped'] == 0.5 and m['LR/collar/correct'] == 0.5
    assert m['LR/sleeve/collapsed'] == 0.5
    assert m['LR/waistline/one_off'] == 0.5
    assert m['LR/waistline/wrong_side'] == 0.25
    assert m['LR/hem/correct'] == pytest.approx(1 / 3)
    assert m['LR/hem/collapsed'] == pytest.approx(1 / 3)
    assert m['LR/hem/swapped'] == pytest.approx(1 / 3)
    assert m['LR/hem/wrong_side'] == pytest.approx(3 / 6)
    # subsets: upper 3 pairs, 3 wrong landmarks; lower 2 pairs, 2 wrong
    assert m['LR/upper/wrong_side'] == pytest.approx(3 / 6)
    assert m['LR/upper/collapsed'] == pytest.approx(1 / 3)
    assert m['LR/lower/wrong_side'] == pytest.approx(2 / 4)
    assert m['LR/lower/collapsed'] == pytest.approx(1 / 2)
    assert m['LR/full/wrong_side'] == pytest.approx(2 / 8)
    assert m['LR/full/collapsed'] == 0.0
    assert m['LR/variation_1/wrong_side'] == pytest.approx(5 / 14)
    assert m['LR/variation_1/collapsed'] == pytest.approx(1 / 7)
    assert m['LR/variation_2/collapsed'] == pytest.approx(1 / 2)
    assert 'LR/variation_3/wrong_side' not in m


def test_key_names_the_ablation_reads():
    m = evaluate([sample({}, clothes=1, variation=0)])
    lr_keys = {k for k in m if k.startswith('LR/')}
    outcomes = ('correct', 'swapped', 'collapsed', 'one_off')
    expected = {f'LR/{o}' for o in outcomes + ('wrong_side', 'num_pairs')}
    expected |= {
        f'LR/{p}/{o}'
        for p in ('collar', 'sleeve', 'waistline', 'hem')
        for o in outcomes + ('wrong_side', )
    }
    expected |= {'LR/upper/wrong_side', 'LR/upper/collapsed'}
    assert lr_keys == expected
    assert not any(
        k.startswith('LR/') for k in evaluate([sample({})], left_right=False))


def test_pairs_not_evaluated():
    s = sample({}, visible_pairs=(0, ))  # only the collar pair visible
    s['gt_instances']['keypoints_visible'][0, 2] = 1  # one sleeve only
    m = evaluate([s])
    assert m['LR/num_pairs'] == 1
    for pair in ('sleeve', 'waistline', 'hem'):
        assert math.isnan(m[f'LR/{pair}/correct'])
        assert math.isnan(m[f'LR/{pair}/wrong_side'])
    # identical ground truths: "nearer" is undefined, the pair is left out
    s['gt_instances']['keypoints'][0, 1] = LEFT
    m = evaluate([s])
    assert m['LR/num_pairs'] == 0 and math.isnan(m['LR/correct'])


def test_midpoint_is_wrong_side_and_collapse_threshold_is_strict():
    gt = np.array([[LEFT, RIGHT]], dtype=np.float32)
    visible = np.ones((1, 2), dtype=bool)
    box = np.array([BOX], dtype=np.float32)

    def outcome(pred_l, pred_r, ratio=0.25):
        codes, wrong = left_right_outcomes(
            np.array([[pred_l, pred_r]], dtype=np.float32), gt, visible, box,
            [(0, 1)], ratio)
        return codes[0, 0], wrong[0, 0].tolist()

    # both on the midpoint: neither nearer its own truth, on one spot
    assert outcome((50, 50), (50, 50)) == (COLLAPSED, [True, True])
    # 15 px apart = exactly 0.25 x 60: not closer than the fraction
    assert outcome((70, 50), (85, 50)) == (ONE_OFF, [True, False])
    assert outcome((70, 50), (84, 50)) == (COLLAPSED, [True, False])
    assert outcome((70, 50), (85, 50), ratio=0.3)[0] == COLLAPSED
    assert outcome((79, 50), (21, 50))[0] == SWAPPED
    assert outcome((49, 50), (51, 50))[0] == CORRECT
    with pytest.raises(ValueError, match='collapse_ratio'):
        outcome((0, 0), (1, 1), ratio=0)


def test_distances_are_box_normalised_like_ne():
    """Pixel distance says "own side", the box-normalised frame (NE's, the
    stretched crop the model sees) says "partner's side"."""
    gt = np.array([[[20, 100], [80, 200]]], dtype=np.float32)
    pred = np.array([[[60, 110], [80, 200]]], dtype=np.float32)
    box = np.array([[0, 0, 100, 400]], dtype=np.float32)
    codes, wrong = left_right_outcomes(pred, gt, np.ones((1, 2), bool), box,
                                       [(0, 1)])
    assert wrong[0, 0].tolist() == [True, False] and codes[0, 0] == ONE_OFF
    square = np.array([[0, 0, 400, 400]], dtype=np.float32)
    codes, _ = left_right_outcomes(pred, gt, np.ones((1, 2), bool), square,
                                   [(0, 1)])
    assert codes[0, 0] == CORRECT


def test_flat_box_raises_only_where_a_pair_is_evaluated():
    gt = np.array([[LEFT, RIGHT]] * 2, dtype=np.float32)
    boxes = np.array([BOX, [10, 10, 10, 90]], dtype=np.float32)
    visible = np.array([[1, 1], [1, 0]], dtype=np.float32)
    codes, _ = left_right_outcomes(gt, gt, visible, boxes, [(0, 1)])
    assert codes[:, 0].tolist() == [CORRECT, NOT_EVALUATED]
    with pytest.raises(ValueError, match='1 sample.*left/right pair.*width'):
        left_right_outcomes(gt, gt, np.ones((2, 2)), boxes, [(0, 1)])


def test_rates_of_codes():
    codes = np.array([CORRECT, SWAPPED, NOT_EVALUATED, COLLAPSED])
    wrong = np.array([[0, 0], [1, 1], [0, 0], [1, 0]], dtype=bool)
    rates = left_right_rates(codes, wrong)
    assert rates == dict(
        correct=1 / 3,
        swapped=1 / 3,
        collapsed=1 / 3,
        one_off=0.0,
        wrong_side=3 / 6,
        num_pairs=3)


def test_pairs_come_from_the_dataset_metainfo():
    meta = parse_pose_metainfo(dict(FASHION_METAINFO))
    assert dataset_pairs(meta, 8)[0] == GLE_PAIRS
    assert dataset_pairs(None, 8)[0] == GLE_PAIRS
    assert dataset_pairs(None, 5) == ([], {})
    with pytest.raises(ValueError, match='4 flip_indices for 8 keypoints'):
        dataset_pairs(dict(flip_indices=[1, 0, 3, 2]), 8)
    # another dataset: a centre keypoint, the right one listed first
    pairs, names = load_pair_layout(
        dict(
            flip_indices=[0, 2, 1],
            keypoint_id2name={
                0: 'nose',
                1: 'right_eye',
                2: 'left_eye'
            }))
    assert pairs == [(2, 1)]
    assert pair_name(names[2], names[1]) == 'eye'
    with pytest.raises(ValueError, match='not symmetric'):
        flip_pairs([1, 2, 0])

    # the metric uses them: a 3-keypoint dataset, eyes swapped
    gt = np.array([[[50, 10], [70, 40], [30, 40]]], dtype=np.float32)
    s = dict(
        gt_instances=dict(
            keypoints=gt,
            keypoints_visible=np.ones((1, 3), np.float32),
            bboxes=np.array([BOX], np.float32)),
        pred_instances=dict(keypoints=gt[:, [0, 2, 1]]))
    metric = NormalizedError()
    metric.dataset_meta = dict(
        flip_indices=[0, 2, 1],
        keypoint_id2name={
            0: 'nose',
            1: 'right_eye',
            2: 'left_eye'
        })
    metric.process([], [s])
    m = metric.evaluate(1)
    assert m['LR/eye/swapped'] == 1.0 and m['LR/num_pairs'] == 1


def test_table_rows(monkeypatch):
    lines = []
    monkeypatch.setattr(MMLogger.get_current_instance(), 'info', lines.append)
    evaluate([sample({3: 'collapsed'}, (0, 1, 3), clothes=1)])
    text = '\n'.join(lines)
    assert 'L.Collar' in text  # NE table and L/R table in one message
    rows = {
        tuple(line.split()[:2]): line.split()[2:]
        for line in text.splitlines()
    }
    assert rows[('all',
                 'collapsed')] == ['.0000', '.0000', '-', '1.0000', '.3333']
    assert rows[('all', '#pairs')] == ['1', '1', '0', '1', '3']
    assert rows[('upper', 'wrong-side')][-1] == '.1667'


def test_dump_writes_per_pair_outcomes(tmp_path):
    out = tmp_path / 'preds.json'
    dump = DumpFashionPredictions(str(out))
    dump.process([], [
        sample({
            0: 'swapped',
            3: 'one_off'
        }, (0, 1, 3)),
        sample({2: 'collapsed'}),
    ])
    dump.evaluate(2)
    records = json.loads(out.read_text())
    assert records[0]['left_right'] == dict(
        collar='swapped', sleeve='correct', waistline=None, hem='one_off')
    assert records[1]['left_right'] == dict(
        collar='correct',
        sleeve='correct',
        waistline='collapsed',
        hem='correct')
    # a sample without ground truth (inference): no outcome
    bare = sample({})
    del bare['gt_instances']
    dump = DumpFashionPredictions(str(out))
    dump.process([], [bare])
    dump.evaluate(1)
    assert json.loads(out.read_text())[0]['left_right'] is None
