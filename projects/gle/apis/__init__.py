"""Top-down fashion-landmark inference: :class:`FashionLandmarkInferencer`
(clothing detector -> GLE landmarks per box -> JSON and drawings; used by
tools/infer.py), its replaceable backends and the strict checkpoint
loading."""
from .backend_options import BACKENDS
from .backends import (ONNXPoseEstimator, TorchClothingDetector,
                       TorchHeatmapModel)
from .box_input import (CLOTHES_TYPE_NAMES, clip_boxes, find_boxes,
                        load_boxes_file, parse_box_rows)
from .checkpoint_loading import (CheckpointMismatchError,
                                 load_checkpoint_checked)
from .drawing import default_palette, draw_fashion_landmarks
from .fashion_landmark_inferencer import FashionLandmarkInferencer
from .inputs import (IMAGE_EXTS, MAX_IMAGE_PIXELS, VIDEO_EXTS, InputError,
                     find_inputs, image_size, list_images, read_image)
from .model_init import init_clothing_detector, init_pose_model

__all__ = [
    'FashionLandmarkInferencer', 'BACKENDS', 'TorchHeatmapModel',
    'TorchClothingDetector', 'ONNXPoseEstimator', 'init_pose_model',
    'init_clothing_detector', 'load_checkpoint_checked',
    'CheckpointMismatchError', 'draw_fashion_landmarks', 'default_palette',
    'parse_box_rows', 'load_boxes_file', 'find_boxes', 'clip_boxes',
    'CLOTHES_TYPE_NAMES', 'InputError', 'find_inputs', 'list_images',
    'read_image', 'image_size', 'IMAGE_EXTS', 'VIDEO_EXTS', 'MAX_IMAGE_PIXELS'
]
