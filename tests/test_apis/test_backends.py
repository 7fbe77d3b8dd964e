"""The replaceable parts of FashionLandmarkInferencer: the heatmap forward
(the shared flip test and decoding around it give test_step's results) and
the detector (the shared filtering and NMS of its raw detections)."""
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.structures import InstanceData
from random_checkpoints import POSE_CONFIG, SAMPLE_DIR, SAMPLE_IMAGES

from gle.apis import FashionLandmarkInferencer, TorchHeatmapModel
from gle.apis.topdown_prediction import predict_crops

ROWS = [[20, 10, 180, 240, 0.9, 'lower'], [10, 5, 150, 120, 'upper']]


@pytest.fixture(scope='module')
def inferencer(checkpoints):
    return FashionLandmarkInferencer(POSE_CONFIG, checkpoints['pose'])


@pytest.fixture(scope='module')
def image():
    return cv2.imread(osp.join(SAMPLE_DIR, SAMPLE_IMAGES[0]))


def _batch(inferencer, image):
    data, _ = inferencer.preprocess_single(image, 0, bboxes=ROWS)
    return data['batch']


def test_shared_flip_test_and_decoding_equal_test_step(inferencer, image):
    model = inferencer.model
    assert model.test_cfg['flip_test']  # the demo config tests with flip
    ours = predict_crops(model, TorchHeatmapModel(model),
                         _batch(inferencer, image))
    with torch.no_grad():
        mmpose = model.test_step(_batch(inferencer, image))
    assert len(ours) == len(mmpose) == 2
    for a, b in zip(ours, mmpose):
        np.testing.assert_array_equal(a.pred_instances.keypoints,
                                      b.pred_instances.keypoints)
        np.testing.assert_array_equal(a.pred_instances.keypoint_scores,
                                      b.pred_instances.keypoint_scores)
    assert [s.pred_instances.clothes_types[0]
            for s in ours] == ['lower', 'upper']


class NumpyRuntime:
    """A stand-in for another runtime: float32 arrays in and out, as an
    onnxruntime session takes and returns them."""

    def __init__(self, model):
        self.torch_forward = TorchHeatmapModel(model)
        self.shapes = []

    def __call__(self, inputs):
        array = inputs.cpu().numpy().astype(np.float32)
        self.shapes.append(array.shape)
        heatmaps = self.torch_forward(torch.from_numpy(array)).numpy()
        return torch.from_numpy(heatmaps.astype(np.float32))


def test_another_heatmap_backend_gives_the_same_results(inferencer, image):
    expected = next(inferencer(image, bboxes=[ROWS]))['predictions']
    runtime = NumpyRuntime(inferencer.model)
    torch_forward, inferencer.heatmap_model = inferencer.heatmap_model, \
        runtime
    try:
        got = next(inferencer(image, bboxes=[ROWS]))['predictions']
    finally:
        inferencer.heatmap_model = torch_forward
    assert got == expected
    # the crops and their flipped copies went through the backend
    size = inferencer.cfg.codec['input_size']
    assert runtime.shapes == [(2, 3, size[1], size[0])] * 2


def test_heatmap_backend_needs_a_heatmap_head(inferencer):
    head = inferencer.model.head
    try:
        inferencer.model.head = torch.nn.Identity()
        with pytest.raises(ValueError, match='runs heatmap heads'):
            TorchHeatmapModel(inferencer.model, config='x.py')
    finally:
        inferencer.model.head = head


class FixedDetector:
    """A detector backend with known raw detections."""

    dataset_meta = dict(classes=('upper', 'lower', 'full'))

    def __init__(self, rows):
        self.rows = np.array(rows, dtype=np.float32)
        self.images = []

    def __call__(self, image):
        self.images.append(image.shape)
        return InstanceData(
            bboxes=self.rows[:, :4],
            scores=self.rows[:, 4],
            labels=self.rows[:, 5].astype(np.int64))


DETECTIONS = [
    [10, 10, 100, 150, 0.9, 2],  # kept: full
    [12, 12, 98, 148, 0.8, 0],  # same item as upper: suppressed by NMS
    [120, 20, 190, 200, 0.6, 1],  # kept: lower
    [5, 5, 5.5, 50, 0.95, 0],  # under a pixel wide: dropped
    [60, 60, 160, 160, 0.2, 1],  # under the score threshold
    [0, 150, 60, 240, 0.5, 7],  # a label without a class name: unknown
]


def test_detector_backend_filtering_and_nms(checkpoints, image):
    detector = FixedDetector(DETECTIONS)
    inferencer = FashionLandmarkInferencer(
        POSE_CONFIG, checkpoints['pose'], det_model=detector)
    [result] = next(inferencer(image))['predictions']
    inferencer = FashionLandmarkInferencer(
        POSE_CONFIG, checkpoints['pose'], det_model=detector, det_cat_ids=1)
    [only_lower] = next(inferencer(image))['predictions']
    assert detector.images == [image.shape] * 2
    items = [(i['bbox'], i['clothes_type'], i['det_score'], i['box_source'])
             for i in result['instances']]
    assert items == [
        ([10., 10., 100., 150.], 'full', 0.9, 'detector'),
        ([120., 20., 190., 200.], 'lower', 0.6, 'detector'),
        ([0., 150., 60., 240.], None, 0.5, 'detector'),
    ]
    [lower] = only_lower['instances']
    assert lower['clothes_type'] == 'lower'
    assert [lm['present']
            for lm in lower['landmarks']] == [False] * 4 + [True] * 4
