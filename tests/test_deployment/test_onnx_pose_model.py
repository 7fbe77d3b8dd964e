"""Exported pose models under onnxruntime against PyTorch: heatmaps (batch 1
and 7), and landmarks through preprocessing, flip test and decoding against
``mmpose.apis.inference_topdown``, for k=0, 2, 3 and the demo config.

The paper configs at k=0 and k=3 run at 64x64 input (same network, smaller
maps) to stay fast; k=2 runs at the paper's 224x224.
"""
import os.path as osp
from types import SimpleNamespace

import cv2
import numpy as np
import onnx
import pytest
import torch
from deploy_checkpoints import (DEMO_CONFIG, PAPER_K0, PAPER_K2, PAPER_K3,
                                SAMPLE_DIR, small_input_options)
from mmpose.apis import inference_topdown
from mmpose.models.utils.tta import flip_heatmaps

from gle.deployment import ONNXPoseModel, flip_heatmaps_np, load_pose_model

CASES = dict(
    k0=(PAPER_K0, small_input_options(64)),
    k2=(PAPER_K2, None),
    k3=(PAPER_K3, small_input_options(64)),
    demo=(DEMO_CONFIG, None),
    # the neck's other attention path
    demo_explicit=(DEMO_CONFIG, {
        'model.neck.attention_impl': 'explicit'
    }),
)
HEATMAP_TOL = 1e-4
LANDMARK_TOL = 0.5  # pixels


def _load(export_model, name):
    config, options = CASES[name]
    onnx_file, ckpt = export_model(name, config, options)
    return SimpleNamespace(
        name=name,
        onnx_file=onnx_file,
        torch=load_pose_model(config, ckpt, options),
        ort=ONNXPoseModel(onnx_file, num_threads=1))


@pytest.fixture(scope='module', params=list(CASES))
def case(request, export_model):
    return _load(export_model, request.param)


@pytest.fixture(scope='module')
def demo(export_model):
    return _load(export_model, 'demo')


@pytest.fixture(scope='module')
def image():
    return cv2.imread(osp.join(SAMPLE_DIR, 'img_00000132.jpg'))


def _boxes(img, n=3):
    h, w = img.shape[:2]
    return np.array([[10, 20, w - 15, h - 30], [0, 0, w / 2, h / 2],
                     [w * 0.3, h * 0.2, w * 0.9, h * 0.95]],
                    dtype=np.float32)[:n]


def test_onnx_checker_and_graph(case):
    model = onnx.load(case.onnx_file)
    onnx.checker.check_model(model, full_check=True)
    (inp, ) = model.graph.input
    dims = [d.dim_param or d.dim_value for d in inp.type.tensor_type.shape.dim]
    w, h = case.ort.input_size
    assert inp.name == 'input' and dims[1:] == [3, h, w]
    assert isinstance(dims[0], str)  # dynamic batch
    ops = {n.op_type for n in model.graph.node}
    if case.name != 'k0':
        # the non-local blocks' attention is in the graph
        assert {'MatMul', 'Softmax'} <= ops


@pytest.mark.parametrize('batch', [1, 7])
def test_heatmaps_match_pytorch(case, batch):
    w, h = case.ort.input_size
    x = np.random.default_rng(batch).standard_normal((batch, 3, h, w),
                                                     dtype=np.float32)
    with torch.no_grad():
        ref = case.torch(torch.from_numpy(x), None, mode='tensor').numpy()
    out = case.ort.forward(x)
    assert out.shape == ref.shape
    # heatmaps of about unit height (deploy_checkpoints.HEATMAP_GAIN), so
    # the tolerance is not met by near-zero maps
    assert np.abs(ref).max() > 0.1
    assert np.abs(out - ref).max() < HEATMAP_TOL


def test_landmarks_match_inference_topdown(case, image):
    boxes = _boxes(image, n=2 if case.name == 'k2' else 3)
    assert case.ort.test_cfg['flip_test']
    keypoints, scores = case.ort.predict_image(image, boxes)
    results = inference_topdown(case.torch, image, boxes)
    ref = np.concatenate([r.pred_instances.keypoints for r in results])
    ref_scores = np.concatenate(
        [r.pred_instances.keypoint_scores for r in results])
    assert keypoints.shape == ref.shape == (len(boxes), 8, 2)
    assert np.abs(keypoints - ref).max() <= LANDMARK_TOL
    assert np.abs(scores - ref_scores).max() < HEATMAP_TOL


def test_flip_test_follows_the_config(demo, image):
    """Without the flip test the landmarks differ, and match PyTorch's
    without the flip test."""
    boxes = _boxes(image)
    flipped, _ = demo.ort.predict_image(image, boxes)
    plain, _ = demo.ort.predict_image(image, boxes, flip_test=False)
    assert np.abs(flipped - plain).max() > 1
    demo.torch.test_cfg['flip_test'] = False
    try:
        results = inference_topdown(demo.torch, image, boxes)
    finally:
        demo.torch.test_cfg['flip_test'] = True
    ref = np.concatenate([r.pred_instances.keypoints for r in results])
    assert np.abs(plain - ref).max() <= LANDMARK_TOL


def test_flip_heatmaps_matches_mmpose():
    heatmaps = np.random.default_rng(0).random((3, 8, 5, 7), np.float32)
    flip_indices = [1, 0, 3, 2, 5, 4, 7, 6]
    for shift in (False, True):
        ref = flip_heatmaps(
            torch.from_numpy(heatmaps),
            flip_indices=flip_indices,
            flip_mode='heatmap',
            shift_heatmap=shift).numpy()
        np.testing.assert_array_equal(
            flip_heatmaps_np(heatmaps, flip_indices, shift), ref)


def test_decode_is_the_heads_decode(demo):
    heatmaps = np.random.default_rng(1).random((4, 8, 96, 96), np.float32)
    keypoints, scores = demo.ort.decode(heatmaps)
    preds = demo.torch.head.decode(torch.from_numpy(heatmaps))
    np.testing.assert_array_equal(keypoints,
                                  np.concatenate([p.keypoints for p in preds]))
    np.testing.assert_array_equal(
        scores, np.concatenate([p.keypoint_scores for p in preds]))


def test_metadata_and_empty_batches(demo, image):
    meta = demo.ort.dataset_meta
    assert meta['num_keypoints'] == 8
    assert meta['keypoint_names'][:2] == ('left_collar', 'right_collar')
    assert tuple(meta['flip_indices']) == (1, 0, 3, 2, 5, 4, 7, 6)
    keypoints, scores = demo.ort.predict_image(image, np.zeros((0, 4)))
    assert keypoints.shape == (0, 8, 2) and scores.shape == (0, 8)


def test_bad_inputs_and_files(demo, tmp_path):
    with pytest.raises(ValueError, match=r'shape \(N, 3, 96, 96\)'):
        demo.ort.forward(np.zeros((1, 3, 64, 64), np.float32))
    with pytest.raises(FileNotFoundError, match='not found'):
        ONNXPoseModel(str(tmp_path / 'missing.onnx'))
    bad = tmp_path / 'bad.onnx'
    bad.write_bytes(b'not a model')
    with pytest.raises(ValueError, match='cannot load'):
        ONNXPoseModel(str(bad))
    # a graph without the export tool's metadata
    plain = tmp_path / 'plain.onnx'
    torch.onnx.export(
        torch.nn.Conv2d(3, 8, 1), (torch.zeros(1, 3, 4, 4), ),
        str(plain),
        dynamo=False)
    with pytest.raises(ValueError, match='pytorch2onnx.py'):
        ONNXPoseModel(str(plain))
    with pytest.raises(ValueError, match='num_threads'):
        ONNXPoseModel(demo.onnx_file, num_threads=0)
