"""Fashion-landmark datasets in the unified 8-landmark layout (registered
into mmpose's DATASETS on import)."""
from . import transforms  # noqa: F401
from .annotation_error import FashionAnnotationError
from .base_fashion_dataset import BaseFashionDataset
from .deepfashion_c_dataset import DeepFashionCDataset
from .fashion_layout import (CLOTHES_TYPE_SLOTS, CLOTHES_TYPES,
                             FASHION_META_KEYS, LANDMARK_NAMES, METAINFO_FILE,
                             NUM_LANDMARKS, SPLITS, VARIATION_TYPES,
                             VISIBILITY_CODES)
from .fld_coco_dataset import COCO_V_TO_CODE, FLDCocoDataset
from .fld_dataset import FLDDataset

__all__ = [
    'BaseFashionDataset', 'DeepFashionCDataset', 'FLDDataset',
    'FLDCocoDataset', 'FashionAnnotationError', 'FASHION_META_KEYS',
    'LANDMARK_NAMES', 'NUM_LANDMARKS', 'CLOTHES_TYPES', 'CLOTHES_TYPE_SLOTS',
    'VARIATION_TYPES', 'VISIBILITY_CODES', 'SPLITS', 'METAINFO_FILE',
    'COCO_V_TO_CODE'
]
