"""Fashion-landmark datasets in the unified 8-landmark layout (registered
into mmpose's DATASETS on import)."""
from . import transforms  # noqa: F401
from .annotation_error import FashionAnnotationError
from .base_fashion_dataset import BaseFashionDataset
from .deepfashion_c_dataset import DeepFashionCDataset
from .fashion_layout import (CLOTHES_TYPE_SLOTS, CLOTHES_TYPES,
                             FASHION_META_KEYS, LANDMARK_NAMES, NUM_LANDMARKS,
                             SPLITS, VARIATION_TYPES, VISIBILITY_CODES)
from .fashion_metainfo import FASHION_METAINFO
from .fld_coco_dataset import COCO_V_TO_CODE, FLDCocoDataset
from .fld_dataset import FLDDataset
from .image_file_error import ImageFileError
from .raw_annotation import RawAnnotations, RawFashionItem

__all__ = [
    'BaseFashionDataset', 'DeepFashionCDataset', 'FLDDataset',
    'FLDCocoDataset', 'FashionAnnotationError', 'ImageFileError',
    'FASHION_META_KEYS', 'FASHION_METAINFO', 'LANDMARK_NAMES', 'NUM_LANDMARKS',
    'CLOTHES_TYPES', 'CLOTHES_TYPE_SLOTS', 'VARIATION_TYPES',
    'VISIBILITY_CODES', 'SPLITS', 'COCO_V_TO_CODE', 'RawAnnotations',
    'RawFashionItem'
]
