"""Top-down inference: clothing detector -> GLE landmarks per box -> JSON-ready
results and drawings (used by tools/infer.py)."""
from .box_input import (CLOTHES_TYPE_NAMES, find_boxes, load_boxes_file,
                        parse_box_rows)
from .checkpoint_loading import (CheckpointMismatchError,
                                 load_checkpoint_checked)
from .drawing import default_palette, draw_fashion_landmarks
from .fashion_landmark_inferencer import FashionLandmarkInferencer
from .inference import detect_clothing, inference_fashion_landmarks
from .model_init import init_clothing_detector, init_pose_model

__all__ = [
    'FashionLandmarkInferencer', 'inference_fashion_landmarks',
    'detect_clothing', 'init_pose_model', 'init_clothing_detector',
    'load_checkpoint_checked', 'CheckpointMismatchError',
    'draw_fashion_landmarks', 'default_palette', 'parse_box_rows',
    'load_boxes_file', 'find_boxes', 'CLOTHES_TYPE_NAMES'
]
