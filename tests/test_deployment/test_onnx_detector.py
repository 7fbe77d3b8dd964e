"""The exported RTMDet clothing detector under onnxruntime against mmdet:
raw outputs (batch 1 and 7) and final detections against
``mmdet.apis.inference_detector``; the numpy NMS against mmcv's."""
import glob
import os.path as osp

import cv2
import numpy as np
import onnx
import pytest
import torch
from deploy_checkpoints import DEMO_CONFIG, DET_CONFIG, REPO, SAMPLE_DIR
from mmcv.ops import batched_nms as mmcv_batched_nms
from mmcv.ops import nms as mmcv_nms
from mmdet.apis import inference_detector
from mmengine.registry import DefaultScope
from mmpose.utils import adapt_mmdet_pipeline

from gle.deployment import (DetectorExportWrapper, ONNXDetector, ONNXPoseModel,
                            batched_nms, load_detector, nms)

# Random RTMDet weights with unit-scale features: fp32 PyTorch and
# onnxruntime each differ from a float64 run of the same graph by up to
# ~5e-3 px on the boxes and ~2e-5 on the scores, so these are the bounds of
# the comparison.
BOX_TOL = 0.05  # pixels
SCORE_TOL = 2e-4


@pytest.fixture(scope='module')
def det(export_model):
    onnx_file, ckpt = export_model('det', DET_CONFIG, det=True)
    torch_det = load_detector(DET_CONFIG, ckpt)
    torch_det.cfg = adapt_mmdet_pipeline(torch_det.cfg)
    return onnx_file, torch_det, ONNXDetector(onnx_file, num_threads=1)


def _images():
    paths = sorted(glob.glob(osp.join(SAMPLE_DIR, '*.jpg')))
    paths += sorted(
        glob.glob(
            osp.join(REPO, 'demo', 'data', 'fashion_demo', 'img', '*',
                     '*.jpg')))[:1]
    return [cv2.imread(p) for p in paths]


def _match(ours, ref):
    """One-to-one match of two detection sets: same label, boxes and
    scores within the tolerances."""
    assert len(ours['bboxes']) == len(ref.bboxes)
    free = np.ones(len(ref.bboxes), bool)
    for box, score, label in zip(ours['bboxes'], ours['scores'],
                                 ours['labels']):
        ok = free & (ref.labels == label) & (
            np.abs(ref.bboxes - box).max(1) < BOX_TOL) & (
                np.abs(ref.scores - score) < SCORE_TOL)
        assert ok.any(), f'no match for {box}, {score}, {label}'
        free[np.flatnonzero(ok)[0]] = False


def test_graph(det):
    onnx_file, _, runtime = det
    model = onnx.load(onnx_file)
    onnx.checker.check_model(model, full_check=True)
    assert [o.name for o in model.graph.output] == ['boxes', 'scores']
    assert runtime.classes == ('upper', 'lower', 'full')
    assert runtime.input_size == (160, 160)
    # 160x160 at strides 8, 16, 32
    assert runtime.priors_per_level == (400, 100, 25)


@pytest.mark.parametrize('batch', [1, 7])
def test_raw_outputs_match_pytorch(det, batch):
    _, torch_det, runtime = det
    x = np.random.default_rng(batch).standard_normal((batch, 3, 160, 160),
                                                     dtype=np.float32)
    with torch.no_grad():
        boxes, scores = DetectorExportWrapper(torch_det, (160, 160))(
            torch.from_numpy(x))
    out_boxes, out_scores = runtime.forward(x)
    assert out_boxes.shape == (batch, 525, 4)
    assert out_scores.shape == (batch, 525, 3)
    assert np.abs(out_boxes - boxes.numpy()).max() < BOX_TOL
    assert np.abs(out_scores - scores.numpy()).max() < SCORE_TOL
    # the scores spread over (0, 1): the comparison is not of constants
    assert scores.min() < 0.2 and scores.max() > 0.8


def test_detections_match_inference_detector(det):
    _, torch_det, runtime = det
    for img in _images():
        with DefaultScope.overwrite_default_scope('mmdet'):
            ref = inference_detector(torch_det,
                                     img).pred_instances.cpu().numpy()
        ours = runtime.predict(img)
        called = runtime(img)  # InstanceData, as inference_detector's
        np.testing.assert_array_equal(called.bboxes, ours['bboxes'])
        np.testing.assert_array_equal(called.labels, ours['labels'])
        assert runtime.dataset_meta['classes'] == torch_det.dataset_meta[
            'classes']
        assert ours['bboxes'].dtype == np.float32
        assert ours['labels'].dtype == np.int64
        assert np.all(np.diff(ours['scores']) <= 0)  # best first
        assert len(ref.bboxes) > 10
        _match(ours, ref)


def test_batch_prediction_and_overrides(det):
    _, _, runtime = det
    imgs = _images()[:2]
    batch = runtime.predict_batch(imgs)
    for img, result in zip(imgs, batch):
        single = runtime.predict(img)
        for key in ('bboxes', 'scores', 'labels'):
            np.testing.assert_allclose(result[key], single[key], atol=1e-4)
    strict = runtime.predict(imgs[0], score_thr=0.9, max_per_img=5)
    assert 0 < len(strict['scores']) <= 5
    assert strict['scores'].min() > 0.9
    gray = cv2.cvtColor(imgs[0], cv2.COLOR_BGR2GRAY)
    np.testing.assert_allclose(
        runtime.predict(gray)['scores'],
        runtime.predict(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR))['scores'])
    with pytest.raises(KeyError, match='unknown post-processing'):
        runtime.predict(imgs[0], iou_thr=0.5)
    assert runtime.predict_batch([]) == []


def test_numpy_nms_matches_mmcv():
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 100, (300, 2)).astype(np.float32)
    wh = rng.uniform(1, 40, (300, 2)).astype(np.float32)
    boxes = np.concatenate([xy, xy + wh], 1)
    scores = rng.random(300).astype(np.float32)
    labels = rng.integers(0, 3, 300)
    for thr in (0.3, 0.65):
        _, keep = mmcv_nms(
            torch.from_numpy(boxes), torch.from_numpy(scores), thr)
        np.testing.assert_array_equal(nms(boxes, scores, thr), keep.numpy())
        _, keep = mmcv_batched_nms(
            torch.from_numpy(boxes), torch.from_numpy(scores),
            torch.from_numpy(labels), dict(type='nms', iou_threshold=thr))
        np.testing.assert_array_equal(
            batched_nms(boxes, scores, labels, thr), keep.numpy())


def test_models_are_not_interchangeable(det, export_model):
    onnx_file, _, _ = det
    with pytest.raises(ValueError, match='detector model.*ONNXDetector'):
        ONNXPoseModel(onnx_file)
    pose_file, _ = export_model('demo', DEMO_CONFIG)
    with pytest.raises(ValueError, match='pose model.*ONNXPoseModel'):
        ONNXDetector(pose_file)
