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
from typing import Dict, NamedTuple, Optional, Sequence, Union

import numpy as np

from .annotation_error import FashionAnnotationError


class ItemLocation(NamedTuple):
    """Where one item's box and landmarks are annotated (for messages).

    Attributes:
        box_file (str): File of the box.
        box_line (int | str): Its line (or json location).
        landmark_file (str): File of the landmarks.
        landmark_line (int | str): Their line (or json location).
    """
    box_file: str
    box_line: Union[int, str]
    landmark_file: str
    landmark_line: Union[int, str]


def find_geometry_problems(bboxes: np.ndarray,
                           keypoints: Optional[np.ndarray] = None,
                           visible: Optional[np.ndarray] = None,
                           img_sizes: Optional[np.ndarray] = None
                           ) -> Dict[str, np.ndarray]:
    """Find degenerate boxes and misplaced visible landmarks, vectorised.

    Pixel coordinates are continuous: a box or landmark on the image border
    (``x == width``) is inside.

    Args:
        bboxes (np.ndarray): Boxes (x1, y1, x2, y2), shape (N, 4).
        keypoints (np.ndarray, optional): Keypoints, shape (N, K, 2).
            Without them only the boxes are checked.
        visible (np.ndarray, optional): Visible (code 0) mask, shape (N, K).
        img_sizes (np.ndarray, optional): Image (width, height), shape
            (N, 2). Without it, only the checks that need no image are made.

    Returns:
        dict[str, np.ndarray]: Boolean masks:

        - ``degenerate_box`` (N,): non-finite, x2 <= x1 or y2 <= y1.
        - with ``keypoints``: ``landmark_outside_box`` (N, K): visible
          landmark outside its box.
        - with ``img_sizes`` also ``box_off_image`` (N,): the box does not
          overlap the image at all; ``box_exceeds_image`` (N,): a box that
          overlaps the image but extends beyond it; ``landmark_outside_image``
          (N, K) (with ``keypoints`` too): visible landmark outside the
          image.
    """
    bboxes = np.asarray(bboxes, dtype=np.float64).reshape(-1, 4)
    x1, y1, x2, y2 = bboxes.T
    problems = dict(degenerate_box=~np.isfinite(bboxes).all(axis=1)
                    | (x2 <= x1)
                    | (y2 <= y1))
    if keypoints is not None:
        keypoints = np.asarray(keypoints, dtype=np.float64)
        visible = np.asarray(visible).astype(bool)
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
        if keypoints is not None:
            problems['landmark_outside_image'] = visible & ((kx < 0) |
                                                            (ky < 0) |
                                                            (kx > w[:, None]) |
                                                            (ky > h[:, None]))
    return problems


def apply_geometry_policy(bboxes: np.ndarray,
                          keypoints: Optional[np.ndarray],
                          visible: Optional[np.ndarray],
                          locations: Sequence[ItemLocation],
                          skip_invalid: bool,
                          owner: str,
                          img_sizes: Optional[np.ndarray] = None
                          ) -> np.ndarray:
    """Apply the geometry policy (module docstring) to N items.

    Args:
        bboxes (np.ndarray): Boxes (x1, y1, x2, y2), shape (N, 4).
        keypoints (np.ndarray, optional): Keypoints, shape (N, K, 2);
            ``None`` checks the boxes only.
        visible (np.ndarray, optional): Visible (code 0) mask, shape (N, K).
        locations (Sequence[ItemLocation]): Each item's files and lines.
        skip_invalid (bool): Drop items with an unusable box (one warning)
            instead of raising.
        owner (str): Name used in warnings (the dataset class).
        img_sizes (np.ndarray, optional): Image (width, height), shape
            (N, 2), when known without opening the images.

    Returns:
        np.ndarray: bool, shape (N,): the items to keep.

    Raises:
        FashionAnnotationError: An unusable box, without ``skip_invalid``.
    """
    bboxes = np.asarray(bboxes, dtype=np.float64).reshape(-1, 4)
    if not len(bboxes):
        return np.zeros(0, dtype=bool)
    problems = find_geometry_problems(bboxes, keypoints, visible, img_sizes)

    invalid = problems['degenerate_box'] | problems.get(
        'box_off_image', np.zeros(len(bboxes), dtype=bool))
    if invalid.any():
        first = int(np.flatnonzero(invalid)[0])
        loc = locations[first]
        box = ' '.join(f'{v:g}' for v in bboxes[first])
        if problems['degenerate_box'][first]:
            what = f'degenerate box ({box}): needs x2 > x1 and y2 > y1'
            if not np.isfinite(bboxes[first]).all():
                what = f'box ({box}) is not finite'
        else:
            w, h = np.asarray(img_sizes).reshape(-1, 2)[first]
            what = f'box ({box}) lies outside the {w:g}x{h:g} image'
        if not skip_invalid:
            raise FashionAnnotationError(
                loc.box_file, loc.box_line, what,
                'correct the box, or pass skip_invalid=True to skip such '
                'items')
        warnings.warn(f'{owner}: skipped {int(invalid.sum())} item(s) with '
                      'a degenerate box or a box off the image '
                      f'(skip_invalid=True); first: {loc.box_file}:'
                      f'{loc.box_line}: {what}')

    keep = ~invalid
    kept_notes = (
        ('landmark_outside_box', 'visible landmark(s) lie outside their box',
         'landmark'),
        ('box_exceeds_image', 'box(es) extend beyond the image', 'box'),
        ('landmark_outside_image', 'visible landmark(s) lie outside the '
         'image', 'landmark'),
    )
    for key, text, where in kept_notes:
        if key not in problems:
            continue
        mask = problems[key] & (
            keep[:, None] if problems[key].ndim == 2 else keep)
        if mask.any():
            items = mask.any(axis=1) if mask.ndim == 2 else mask
            loc = locations[int(np.flatnonzero(items)[0])]
            file, line = ((loc.landmark_file,
                           loc.landmark_line) if where == 'landmark' else
                          (loc.box_file, loc.box_line))
            warnings.warn(
                f'{owner}: {int(mask.sum())} {text} ({int(items.sum())} '
                f'item(s)); kept as annotated. First: {file}:{line}. Run '
                'tools/misc/check_fashion_dataset.py for the full list.')
    return keep
