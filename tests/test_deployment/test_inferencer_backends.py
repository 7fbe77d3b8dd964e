"""The onnxruntime models as backends of gle.apis.FashionLandmarkInferencer:
``ONNXDetector`` is a detector backend as it is; ``ONNXPoseModel.forward``
behind a Tensor-to-array adapter is the heatmap backend. Their predictions
equal the PyTorch inferencer's."""
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from deploy_checkpoints import DEMO_CONFIG, DET_CONFIG, SAMPLE_DIR

from gle.apis import FashionLandmarkInferencer
from gle.deployment import ONNXDetector, ONNXPoseModel


class ONNXHeatmapBackend:
    """Crops Tensor (N, 3, H, W) -> heatmaps Tensor, via onnxruntime."""

    def __init__(self, pose: ONNXPoseModel) -> None:
        self.pose = pose

    def __call__(self, crops: torch.Tensor) -> torch.Tensor:
        return torch.from_numpy(self.pose.forward(crops.cpu().numpy()))


def _instances(inferencer, image):
    # the random detector scores hundreds of boxes: keep the best few
    [result] = next(inferencer(image, bbox_thr=0.95))['predictions']
    return result['instances']


def test_onnx_backends_give_the_pytorch_results(export_model):
    det_file, det_ckpt = export_model('det', DET_CONFIG, det=True)
    pose_file, pose_ckpt = export_model('demo', DEMO_CONFIG)
    image = cv2.imread(osp.join(SAMPLE_DIR, 'img_00000128.jpg'))
    reference = FashionLandmarkInferencer(
        DEMO_CONFIG,
        pose_ckpt,
        device='cpu',
        det_model=DET_CONFIG,
        det_weights=det_ckpt)
    onnx = FashionLandmarkInferencer(
        DEMO_CONFIG,
        pose_ckpt,
        device='cpu',
        det_model=ONNXDetector(det_file, num_threads=1))
    onnx.heatmap_model = ONNXHeatmapBackend(
        ONNXPoseModel(pose_file, num_threads=1))
    ref, ours = _instances(reference, image), _instances(onnx, image)
    assert len(ours) == len(ref) > 1
    for a, b in zip(ours, ref):
        assert a['clothes_type'] == b['clothes_type']
        np.testing.assert_allclose(a['bbox'], b['bbox'], atol=0.05)
        assert a['det_score'] == pytest.approx(b['det_score'], abs=2e-4)
        for la, lb in zip(a['landmarks'], b['landmarks']):
            assert la['present'] == lb['present']
            if la['present']:
                assert abs(la['x'] - lb['x']) <= 0.5
                assert abs(la['y'] - lb['y']) <= 0.5
