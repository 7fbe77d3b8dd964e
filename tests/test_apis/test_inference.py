"""FashionLandmarkInferencer on real photos with random weights: result
structure, absent slots, detector path, drawing, checkpoint errors,
MMPoseInferencer."""
import json
import os.path as osp

import cv2
import numpy as np
import pytest
from random_checkpoints import (DET_CONFIG, POSE_CONFIG, SAMPLE_DIR,
                                SAMPLE_IMAGES)

from gle.apis import (CheckpointMismatchError, FashionLandmarkInferencer,
                      init_pose_model, load_boxes_file, parse_box_rows)
from gle.datasets import CLOTHES_TYPE_SLOTS, LANDMARK_NAMES

LANDMARK_KEYS = {'name', 'x', 'y', 'score', 'present'}
INSTANCE_KEYS = {
    'bbox', 'clothes_type', 'det_score', 'box_source', 'landmarks'
}


@pytest.fixture(scope='module')
def inferencer(checkpoints):
    return FashionLandmarkInferencer(
        POSE_CONFIG,
        checkpoints['pose'],
        det_model=DET_CONFIG,
        det_weights=checkpoints['det'])


@pytest.fixture(scope='module')
def pose_only(checkpoints):
    return FashionLandmarkInferencer(POSE_CONFIG, checkpoints['pose'])


def run(inferencer, image, **kwargs):
    """The result of one image."""
    [result] = next(inferencer(image, **kwargs))['predictions']
    return result


@pytest.fixture(scope='module')
def image():
    return cv2.imread(osp.join(SAMPLE_DIR, SAMPLE_IMAGES[0]))


def check_instance(inst, width, height):
    assert set(inst) == INSTANCE_KEYS
    assert len(inst['bbox']) == 4
    assert [lm['name'] for lm in inst['landmarks']] == list(LANDMARK_NAMES)
    code = {'upper': 1, 'lower': 2, 'full': 3}.get(inst['clothes_type'])
    slots = CLOTHES_TYPE_SLOTS[code] if code else range(8)
    for k, lm in enumerate(inst['landmarks']):
        assert set(lm) == LANDMARK_KEYS
        assert lm['present'] is (k in slots)
        if lm['present']:
            assert all(isinstance(lm[key], float) for key in 'xy')
            assert isinstance(lm['score'], float)
        else:
            assert lm['x'] is lm['y'] is lm['score'] is None


def test_whole_image_without_detector(pose_only, image):
    height, width = image.shape[:2]
    result = run(pose_only, image)
    assert (result['width'], result['height']) == (width, height)
    [inst] = result['instances']
    check_instance(inst, width, height)
    assert inst['bbox'] == [0, 0, width, height]
    assert inst['clothes_type'] is None and inst['det_score'] is None
    assert inst['box_source'] == 'whole_image'
    assert all(lm['present'] for lm in inst['landmarks'])
    # grayscale input is accepted (converted to BGR)
    gray = run(pose_only, image[..., 0])
    assert len(gray['instances']) == 1


def test_given_boxes_force_the_clothes_type(inferencer, image):
    rows = [[20, 10, 180, 240, 0.8, 'lower'], [10, 5, 150, 120, 'upper'],
            [0, 0, 100, 100, None, 'full'],
            np.array([5., 5., 60., 90.])]
    result = run(inferencer, image, bboxes=[rows])
    assert json.loads(json.dumps(result)) == result  # JSON-ready
    lower, upper, full, unknown = result['instances']
    for inst in result['instances']:
        check_instance(inst, result['width'], result['height'])
        assert inst['box_source'] == 'boxes'
    assert (lower['clothes_type'], lower['det_score']) == ('lower', 0.8)
    present = [lm['present'] for lm in lower['landmarks']]
    assert present == [False] * 4 + [True] * 4  # no collars nor sleeves
    assert [lm['present'] for lm in upper['landmarks']
            ] == [True, True, True, True, False, False, True, True]
    assert upper['det_score'] is None
    assert all(lm['present'] for lm in full['landmarks'])
    assert unknown['clothes_type'] is None
    assert run(inferencer, image, bboxes=[[]])['instances'] == []


def test_detector_path(inferencer, image):
    # random weights: keep every box, few of them after a strict NMS
    result = run(inferencer, image, bbox_thr=0.0, nms_thr=0.05)
    assert result['instances']
    scores = [inst['det_score'] for inst in result['instances']]
    assert scores == sorted(scores, reverse=True)
    for inst in result['instances']:
        check_instance(inst, result['width'], result['height'])
        assert inst['box_source'] == 'detector'
        assert inst['clothes_type'] in ('upper', 'lower', 'full')
    # nothing above a score of 1: no instances, or the whole image
    assert run(inferencer, image, bbox_thr=1.0)['instances'] == []
    [inst] = run(
        inferencer, image, bbox_thr=1.0,
        fallback_whole_image=True)['instances']
    assert inst['box_source'] == 'whole_image'
    # the detector left out for one call: the whole image, as without one
    [inst] = run(
        inferencer, image, bbox_thr=0.0, whole_image=True)['instances']
    assert inst['box_source'] == 'whole_image'
    assert inst['bbox'] == [0, 0, image.shape[1], image.shape[0]]
    assert inst['clothes_type'] is None and inst['det_score'] is None
    assert len(run(inferencer, image, bbox_thr=0.0)['instances']) > 1


def draw(inferencer, image, rows, **kwargs):
    """The drawing of one image with the given boxes, BGR."""
    [drawn
     ] = next(inferencer(image, bboxes=[rows], return_vis=True,
                         **kwargs))['visualization']
    return drawn[..., ::-1]  # the inferencer returns RGB, as MMPose's


def test_draw(inferencer, image):
    drawn = draw(
        inferencer, image, [[20, 10, 180, 240, 0.9, 'full']], kpt_thr=-1.0)
    assert drawn.shape == image.shape and drawn.dtype == np.uint8
    assert not np.array_equal(drawn, image)
    # the box is drawn in the palette colour of 'full' (RGB -> BGR)
    r, g, b = inferencer.palette['full']
    assert (drawn[120, 20] == (b, g, r)).all()
    empty = draw(inferencer, image, [])
    np.testing.assert_array_equal(empty, image)


def test_box_rows_errors(tmp_path):
    with pytest.raises(ValueError, match='degenerate'):
        parse_box_rows([[10, 10, 5, 20]])
    with pytest.raises(ValueError, match='clothes_type must be one of'):
        parse_box_rows([[0, 0, 5, 5, 0.5, 'shoe']])
    with pytest.raises(ValueError, match=r'bboxes\[1\]: expected'):
        parse_box_rows([[0, 0, 5, 5], [0, 0, 5]])
    path = tmp_path / 'boxes.json'
    path.write_text('{"a.jpg": [[0, 0, 5, 5, "lower"]], "b.jpg": []}')
    assert load_boxes_file(str(path)) == {
        'a.jpg':
        [dict(bbox=[0., 0., 5., 5.], det_score=None, clothes_type='lower')],
        'b.jpg': []
    }
    path.write_text('[[0, 0, 5, 5]]')
    with pytest.raises(ValueError, match='expected a JSON object'):
        load_boxes_file(str(path))
    path.write_text('{"a.jpg": [[0, 0, 5, 5, 0.5, "lower"], [1, 2]]}')
    with pytest.raises(ValueError, match=r"boxes.json: 'a.jpg'\[1\]"):
        load_boxes_file(str(path))


def test_checkpoint_errors(checkpoints, tmp_path):
    from gle.apis import init_clothing_detector

    with pytest.raises(FileNotFoundError, match='missing.pth'):
        init_pose_model(POSE_CONFIG, str(tmp_path / 'missing.pth'))
    with pytest.raises(CheckpointMismatchError) as info:
        init_pose_model(POSE_CONFIG, checkpoints['det'])
    message = str(info.value)
    assert checkpoints['det'] in message and 'DETECTOR' in message
    assert '--det-checkpoint' in message
    with pytest.raises(CheckpointMismatchError, match='POSE'):
        init_clothing_detector(DET_CONFIG, checkpoints['pose'])
    garbage = tmp_path / 'garbage.pth'
    garbage.write_bytes(b'not a checkpoint')
    with pytest.raises(CheckpointMismatchError, match='cannot read'):
        init_pose_model(POSE_CONFIG, str(garbage))
    with pytest.raises(ValueError, match='--det-checkpoint'):
        FashionLandmarkInferencer(
            POSE_CONFIG, checkpoints['pose'], det_model=DET_CONFIG)


def test_mmpose_inferencer_with_our_configs(checkpoints, tmp_path):
    from mmpose.apis import MMPoseInferencer

    from gle.utils import safe_checkpoint_loading

    # weights-only loading of checkpoints with numpy metainfo
    with safe_checkpoint_loading():
        mmpose_inferencer = MMPoseInferencer(
            pose2d=POSE_CONFIG,
            pose2d_weights=checkpoints['pose'],
            det_model=DET_CONFIG,
            det_weights=checkpoints['det'],
            det_cat_ids=[0, 1, 2],
            device='cpu')
    out = next(
        mmpose_inferencer(
            osp.join(SAMPLE_DIR, SAMPLE_IMAGES[1]),
            nms_thr=0.05,
            vis_out_dir=str(tmp_path)))
    [predictions] = out['predictions']
    assert predictions
    assert all(len(p['keypoints']) == 8 for p in predictions)
    drawn = cv2.imread(str(tmp_path / SAMPLE_IMAGES[1]))
    assert drawn is not None and drawn.shape[2] == 3


def test_detector_classes_without_checkpoint_meta(checkpoints, tmp_path):
    import torch

    from gle.apis import init_clothing_detector

    # a checkpoint with weights only (converted or hand-saved)
    state = torch.load(checkpoints['det'])['state_dict']
    bare = tmp_path / 'bare.pth'
    torch.save(dict(state_dict=state), bare)
    det = init_clothing_detector(DET_CONFIG, str(bare))
    assert det.dataset_meta['classes'] == ('upper', 'lower', 'full')
