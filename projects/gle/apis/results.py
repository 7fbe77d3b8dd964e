"""Fashion-landmark predictions: the per-item fields the inferencer adds to
mmpose's ``PoseDataSample`` and their JSON form (docs/inference.md)::

    {'width': W, 'height': H,
     'instances': [{
         'bbox': [x1, y1, x2, y2],        # image pixels
         'clothes_type': 'upper' | 'lower' | 'full' | None,
         'det_score': float | None,       # None: box not from a detector
         'box_source': 'detector' | 'boxes' | 'whole_image',
         'landmarks': [                   # always 8, in slot order
             {'name': 'left_collar', 'x': float | None, 'y': float | None,
              'score': float | None, 'present': bool}, ...]}]}

``present`` is False (and ``x``, ``y``, ``score`` None) for slots the item's
clothes type does not have (``CLOTHES_TYPE_SLOTS``: e.g. collars and sleeves
of trousers); with an unknown clothes type all 8 slots are present.
"""
import math
from typing import List, Optional, Sequence

import numpy as np
from mmengine.structures import InstanceData

from ..datasets.fashion_layout import CLOTHES_TYPE_SLOTS, CLOTHES_TYPES

_TYPE_CODES = {name: code for code, name in CLOTHES_TYPES.items()}


def clothes_type_name(name) -> Optional[str]:
    """A detector class name as a clothes type: itself when it is one of
    upper / lower / full, else None (unknown)."""
    return name if name in _TYPE_CODES else None


def present_slots(clothes_types: Sequence[Optional[str]],
                  num_keypoints: int) -> np.ndarray:
    """Which slots each item has, from its clothes type.

    Args:
        clothes_types (Sequence[str | None]): One per item (None: unknown,
            all slots).
        num_keypoints (int): K.

    Returns:
        np.ndarray: Bool array of shape (N, K).
    """
    present = np.ones((len(clothes_types), num_keypoints), dtype=bool)
    for i, ctype in enumerate(clothes_types):
        if ctype is not None:
            present[i] = False
            present[i, list(CLOTHES_TYPE_SLOTS[_TYPE_CODES[ctype]])] = True
    return present


def instances_to_list(instances: InstanceData, names: Sequence[str],
                      box_source: str) -> List[dict]:
    """The JSON form of the items of one image (module docstring).

    Args:
        instances (InstanceData): ``pred_instances`` of a fashion-landmark
            ``PoseDataSample``: ``keypoints`` (N, K, 2), ``keypoint_scores``
            (N, K), ``keypoints_present`` (N, K), ``bboxes`` (N, 4),
            ``bbox_scores`` (N, ) (NaN: no score), ``clothes_types``.
        names (Sequence[str]): The K landmark names.
        box_source (str): Where the boxes of this image come from.

    Returns:
        list[dict]: One dict per item.
    """
    items = []
    for i in range(len(instances)):
        score = float(instances.bbox_scores[i])
        landmarks = []
        for k, name in enumerate(names):
            present = bool(instances.keypoints_present[i, k])
            x, y = instances.keypoints[i, k, :2]
            landmarks.append(
                dict(
                    name=name,
                    x=round(float(x), 2) if present else None,
                    y=round(float(y), 2) if present else None,
                    score=round(float(instances.keypoint_scores[i, k]), 4)
                    if present else None,
                    present=present))
        items.append(
            dict(
                bbox=[round(float(v), 2) for v in instances.bboxes[i]],
                clothes_type=instances.clothes_types[i],
                det_score=None if math.isnan(score) else round(score, 4),
                box_source=box_source,
                landmarks=landmarks))
    return items


def sample_to_dict(sample, names: Sequence[str]) -> dict:
    """The JSON form of one result of ``FashionLandmarkInferencer``.

    Args:
        sample (PoseDataSample): The result of an image or a video frame.
        names (Sequence[str]): The K landmark names.

    Returns:
        dict: ``image`` (its path relative to the input; for a video frame
        ``frame``, from 1), ``width``, ``height`` and ``instances``.
    """
    height, width = sample.ori_shape
    first = dict(frame=sample.frame) if 'frame' in sample else dict(
        image=sample.img_name)
    return dict(
        first,
        width=int(width),
        height=int(height),
        instances=instances_to_list(sample.pred_instances, names,
                                    sample.box_source))
