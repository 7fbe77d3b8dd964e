"""Replaceable parts of ``FashionLandmarkInferencer``: the pose model's
forward (normalised crops -> heatmaps) and the clothing detector (image ->
raw detections), in PyTorch, or from the ONNX exports with onnxruntime
(``ONNXPoseEstimator``, whose ``runtime`` is the heatmap forward, and
``gle.deployment.ONNXDetector``); another runtime plugs in by providing the
same two callables (docs/inference.md, "Backends")."""
from .onnx_files import (check_export_fits_config, load_onnx_detector,
                         load_onnx_pose_model)
from .onnx_pose_estimator import ONNXPoseEstimator
from .torch_clothing_detector import TorchClothingDetector
from .torch_heatmap_model import TorchHeatmapModel

__all__ = [
    'TorchHeatmapModel', 'TorchClothingDetector', 'ONNXPoseEstimator',
    'load_onnx_pose_model', 'load_onnx_detector', 'check_export_fits_config'
]
