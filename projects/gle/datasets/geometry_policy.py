"""Geometry rules for fashion items: degenerate boxes, misplaced landmarks.

Shared by every reader and by ``tools/misc/check_fashion_dataset.py``.

Policy (also in docs/data_preparation.md):

- a degenerate box (non-finite, ``x2 <= x1`` or ``y2 <= y1``) or, where the
  image size is known, a box that does not overlap the image at all makes the
  item unusable (NE divides by the box size): the reader raises a
  :class:`FashionAnnotationError` naming the file and line, unless
  ``skip_invalid=True``, which drops such items with ONE warning giving the
  count and the first location;
- a visible landmark outside its box, a box extending beyond the image, or a
  visible landmark outside the image: the item is kept exactly as annotated
  (clipping would change the NE normaliser or the target) and ONE warning per
  kind gives the count. The checker reports landmarks outside the image as
  problems.
"""
import warnings
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from .annotation_error import FashionAnnotationError


def find_geometry_problems(bboxes: np.ndarray,
                           keypoints: np.ndarray,
                           visible: np.ndarray,
                           img_sizes: Optional[np.ndarray] = None
                           ) -> Dict[str, np.ndarray]:
    """Find degenerate boxes and misplaced visible landmarks, vectorised.

    Pixel coordinates are continuous: a box or landmark on the image border
    (``x == width``) is inside.

    Args:
        bboxes (np.ndarray): Boxes (x1, y1, x2, y2), shape (N, 4).
        keypoints (np.ndarray): Keypoints, shape (N, K, 2).
        visible (np.ndarray): Visible (code 0) mask, shape (N, K).
        img_sizes (np.ndarray, optional): Image (width, height), shape
            (N, 2). Without it, only the checks that need no image are made.

    Returns:
        dict[str, np.ndarray]: Boolean masks:

        - ``degenerate_box`` (N,): non-finite, x2 <= x1 or y2 <= y1.
        - ``landmark_outside_box`` (N, K): visible landmark outside its box.
        - with ``img_sizes`` also ``box_off_image`` (N,): the box does not
          overlap the image at all; ``box_exceeds_image`` (N,): a box that
          overlaps the image but extends beyond it; ``landmark_outside_image``
          (N, K): visible landmark outside the image.
    """
    bboxes = np.asarray(bboxes, dtype=np.float64).reshape(-1, 4)
    keypoints = np.asarray(keypoints, dtype=np.float64)
    visible = np.asarray(visible).astype(bool)
    x1, y1, x2, y2 = bboxes.T
    problems = dict(degenerate_box=~np.isfinite(bboxes).all(axis=1)
                    | (x2 <= x1)
                    | (y2 <= y1))
    kx, ky = keypoints[..., 0], keypoints[..., 1]
    problems['landmark_outside_box'] = visible & ((kx < x1[:, None]) |
                                                  (kx > x2[:, None]) |
                                                  (ky < y1[:, None])
                                                  | (ky > y2[:, None]))
    if img_sizes is not None:
        w, h = np.asarray(img_sizes, dtype=np.float64).reshape(-1, 2).T
        off = (x2 <= 0) | (y2 <= 0) | (x1 >= w) | (y1 >= h)
        problems['box_off_image'] = off & ~problems['degenerate_box']
        problems['box_exceeds_image'] = ~off & ((x1 < 0) | (y1 < 0) |
                                                (x2 > w) | (y2 > h))
        problems['landmark_outside_image'] = visible & ((kx < 0) | (ky < 0) |
                                                        (kx > w[:, None]) |
                                                        (ky > h[:, None]))
    return problems


def apply_geometry_policy(instances: List[dict],
                          locations: Sequence[Tuple[str, Union[int, str]]],
                          skip_invalid: bool,
                          owner: str,
                          img_sizes: Optional[np.ndarray] = None
                          ) -> List[dict]:
    """Apply the geometry policy (module docstring) to parsed instances.

    Args:
        instances (list[dict]): Top-down entries with ``bbox`` (1, 4),
            ``keypoints`` (1, K, 2) and ``keypoints_visible`` (1, K).
        locations (Sequence[tuple]): ``(file, line)`` of each instance's box,
            used in messages.
        skip_invalid (bool): Drop items with an unusable box (one warning)
            instead of raising.
        owner (str): Name used in warnings (the dataset class).
        img_sizes (np.ndarray, optional): Image (width, height), shape
            (N, 2), when known without opening the images.

    Returns:
        list[dict]: The instances kept.
    """
    if not instances:
        return instances
    bboxes = np.concatenate([inst['bbox'] for inst in instances])
    keypoints = np.concatenate([inst['keypoints'] for inst in instances])
    visible = np.concatenate([inst['keypoints_visible']
                              for inst in instances]) > 0.5
    problems = find_geometry_problems(bboxes, keypoints, visible, img_sizes)

    invalid = problems['degenerate_box'] | problems.get(
        'box_off_image', np.zeros(len(instances), dtype=bool))
    if invalid.any():
        first = int(np.flatnonzero(invalid)[0])
        file, line = locations[first]
        box = ' '.join(f'{v:g}' for v in bboxes[first])
        if problems['degenerate_box'][first]:
            what = f'degenerate box ({box}): needs x2 > x1 and y2 > y1'
        else:
            w, h = np.asarray(img_sizes).reshape(-1, 2)[first]
            what = f'box ({box}) lies outside the {w:g}x{h:g} image'
        if not skip_invalid:
            raise FashionAnnotationError(
                file, line, what,
                'correct the box, or pass skip_invalid=True to skip such '
                'items')
        warnings.warn(f'{owner}: skipped {int(invalid.sum())} item(s) with '
                      'a degenerate box or a box off the image '
                      f'(skip_invalid=True); first: {file}:{line}: {what}')

    keep = ~invalid
    kept_notes = (
        ('landmark_outside_box', 'visible landmark(s) lie outside their box'),
        ('box_exceeds_image', 'box(es) extend beyond the image'),
        ('landmark_outside_image', 'visible landmark(s) lie outside the '
         'image'),
    )
    for key, text in kept_notes:
        if key not in problems:
            continue
        mask = problems[key] & (
            keep[:, None] if problems[key].ndim == 2 else keep)
        if mask.any():
            items = mask.any(axis=1) if mask.ndim == 2 else mask
            first = int(np.flatnonzero(items)[0])
            file, line = locations[first]
            warnings.warn(
                f'{owner}: {int(mask.sum())} {text} ({int(items.sum())} '
                f'item(s)); kept as annotated. First: {file}:{line}. Run '
                'tools/misc/check_fashion_dataset.py for the full list.')
    return [inst for inst, k in zip(instances, keep) if k]
