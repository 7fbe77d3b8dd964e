"""Run trained GLE models without PyTorch at inference time: ONNX export
(``tools/deployment/pytorch2onnx.py``) and onnxruntime runtimes for the pose
model and the clothing detector (numpy pre/post-processing).

Not imported by ``gle/__init__``: onnx / onnxruntime are optional
(``requirements/deploy.txt``).
"""
from ..utils import check_image
from .base_onnx_model import BaseONNXModel
from .det_processing import (batched_nms, det_settings_from_config, nms,
                             postprocess_detections, preprocess_det_image)
from .detector_export_wrapper import DetectorExportWrapper
from .heatmap_export_wrapper import HeatmapExportWrapper
from .metadata import (METADATA_KEY, ONNXTaskError, read_metadata,
                       write_metadata)
from .model_loading import load_detector, load_pose_model
from .onnx_detector import ONNXDetector
from .onnx_export import (DEFAULT_OPSET, EXPORTERS, check_onnx,
                          export_detector, export_onnx, export_pose_model)
from .onnx_pose_model import ONNXPoseModel, flip_heatmaps_np
from .ort_session import create_session
from .topdown_preprocessor import TopdownPreprocessor

__all__ = [
    'BaseONNXModel', 'ONNXPoseModel', 'ONNXDetector', 'TopdownPreprocessor',
    'HeatmapExportWrapper', 'DetectorExportWrapper', 'export_pose_model',
    'export_detector', 'export_onnx', 'check_onnx', 'load_pose_model',
    'load_detector', 'create_session', 'read_metadata', 'write_metadata',
    'METADATA_KEY', 'ONNXTaskError', 'DEFAULT_OPSET', 'EXPORTERS',
    'flip_heatmaps_np', 'check_image', 'nms', 'batched_nms',
    'postprocess_detections', 'preprocess_det_image',
    'det_settings_from_config'
]
