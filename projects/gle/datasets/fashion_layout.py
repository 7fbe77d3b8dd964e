"""The unified 8-slot landmark layout and the codes shared by every reader.

DeepFashion-C and FLD annotate 6 (upper-body), 4 (lower-body) or 8 (full-body)
landmarks per item, each in its own order. GLE trains one model on 8 unified
slots; this module is the single definition of that mapping, of the
visibility codes and of the per-sample meta keys the pipeline must carry.
"""
import inspect
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
from mmpose.datasets.transforms import PackPoseInputs

#: Names of the 8 unified slots, in slot order.
LANDMARK_NAMES: Tuple[str,
                      ...] = ('left_collar', 'right_collar', 'left_sleeve',
                              'right_sleeve', 'left_waistline',
                              'right_waistline', 'left_hem', 'right_hem')
NUM_LANDMARKS = len(LANDMARK_NAMES)

#: ``clothes_type`` codes of the raw annotation files.
CLOTHES_TYPES: Dict[int, str] = {1: 'upper', 2: 'lower', 3: 'full'}

#: Slots filled by each clothes type, in the order the raw files list them
#: (upper: collars, sleeves, hems; lower: waistlines, hems; full: all 8).
CLOTHES_TYPE_SLOTS: Dict[int, Tuple[int, ...]] = {
    1: (0, 1, 2, 3, 6, 7),
    2: (4, 5, 6, 7),
    3: (0, 1, 2, 3, 4, 5, 6, 7),
}

#: ``variation_type`` codes of FLD; 0 is used where a source has none
#: (DeepFashion-C, MMPose's FLD json).
VARIATION_TYPES: Dict[int, str] = {
    0: 'unknown',
    1: 'normal pose',
    2: 'medium pose',
    3: 'large pose',
    4: 'medium zoom-in',
    5: 'large zoom-in',
}

#: Visibility codes of the raw files, plus ABSENT for slots the clothes type
#: does not have. Only VISIBLE landmarks are supervised and evaluated.
VISIBLE, OCCLUDED, TRUNCATED, ABSENT = 0, 1, 2, -1
VISIBILITY_CODES: Dict[int, str] = {
    VISIBLE: 'visible',
    OCCLUDED: 'occluded',
    TRUNCATED: 'truncated',
}

SPLITS: Tuple[str, ...] = ('train', 'val', 'test')


def _default_pack_meta_keys() -> Tuple[str, ...]:
    """Read mmpose's default ``PackPoseInputs`` meta keys (not a copy, so it
    follows mmpose)."""
    param = inspect.signature(PackPoseInputs.__init__).parameters['meta_keys']
    return tuple(param.default)


#: ``meta_keys`` for ``PackPoseInputs``: mmpose's defaults plus the
#: per-sample clothes and variation types (used by the NE breakdowns).
FASHION_META_KEYS: Tuple[str,
                         ...] = _default_pack_meta_keys() + ('clothes_type',
                                                             'variation_type')


def to_unified_slots(clothes_type: int,
                     codes: np.ndarray,
                     coords: np.ndarray,
                     slots: Optional[Sequence[int]] = None
                     ) -> Tuple[np.ndarray, np.ndarray]:
    """Place one item's landmarks, listed in its clothes type's own order,
    into the 8 unified slots.

    Args:
        clothes_type (int): 1 upper, 2 lower, 3 full.
        codes (np.ndarray): Visibility codes in {0, 1, 2}, shape (n,), with
            n the clothes type's landmark count (6, 4 or 8).
        coords (np.ndarray): Landmark coordinates, shape (n, 2).
        slots (Sequence[int], optional): Slot of each listed landmark, for
            sources that name their landmarks (json); by default the raw
            files' order ``CLOTHES_TYPE_SLOTS[clothes_type]``.

    Returns:
        tuple:
        - keypoints (np.ndarray): float32, shape (8, 2); absent slots (0, 0).
        - visibility_codes (np.ndarray): int32, shape (8,); absent slots -1.
    """
    if slots is None:
        slots = CLOTHES_TYPE_SLOTS[clothes_type]
    assert sorted(slots) == list(CLOTHES_TYPE_SLOTS[clothes_type])
    assert len(codes) == len(slots) and len(coords) == len(slots)
    keypoints = np.zeros((NUM_LANDMARKS, 2), dtype=np.float32)
    visibility_codes = np.full(NUM_LANDMARKS, ABSENT, dtype=np.int32)
    keypoints[list(slots)] = coords
    visibility_codes[list(slots)] = codes
    return keypoints, visibility_codes


def build_instance(img_id: int,
                   img_path: str,
                   bbox_xyxy: np.ndarray,
                   clothes_type: int,
                   variation_type: int,
                   keypoints: np.ndarray,
                   visibility_codes: np.ndarray,
                   raw_ann_info: dict,
                   instance_id: Optional[int] = None) -> dict:
    """Build one top-down ``data_list`` entry in mmpose's conventions.

    Args:
        img_id (int): Image id.
        img_path (str): Path of the image.
        bbox_xyxy (np.ndarray): The item box (x1, y1, x2, y2), shape (4,).
        clothes_type (int): 1 upper, 2 lower, 3 full.
        variation_type (int): FLD variation type 1-5, 0 when unknown.
        keypoints (np.ndarray): Unified keypoints, shape (8, 2).
        visibility_codes (np.ndarray): Unified codes, shape (8,), -1 absent.
        raw_ann_info (dict): Source of the item (file names, line numbers,
            raw values), kept for tracing a sample back to its annotation.
        instance_id (int, optional): Instance ``id``; defaults to ``img_id``
            (one item per image in both benchmarks).

    Returns:
        dict: The entry, with ``bbox`` (1, 4), ``bbox_score`` (1,),
        ``keypoints`` (1, 8, 2), ``keypoints_visible`` (1, 8) (1.0 only for
        code 0), ``visibility_codes`` (1, 8) and the scalar fields.
    """
    codes = np.asarray(visibility_codes, dtype=np.int32).reshape(1, -1)
    keypoints_visible = (codes == VISIBLE).astype(np.float32)
    return {
        'img_id': img_id,
        'img_path': img_path,
        'bbox': np.asarray(bbox_xyxy, dtype=np.float32).reshape(1, 4),
        'bbox_score': np.ones(1, dtype=np.float32),
        'keypoints': np.asarray(keypoints, dtype=np.float32).reshape(1, -1, 2),
        'keypoints_visible': keypoints_visible,
        'num_keypoints': int(keypoints_visible.sum()),
        'id': img_id if instance_id is None else instance_id,
        'category_id': 1,
        'clothes_type': int(clothes_type),
        'variation_type': int(variation_type),
        'visibility_codes': codes,
        'raw_ann_info': raw_ann_info,
    }
