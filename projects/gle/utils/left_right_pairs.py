"""Left/right landmark pairs read from a dataset's metainfo (its
``flip_indices``), the one definition shared by the left/right metrics and
the pair-aware decoding."""
from typing import Dict, List, Optional, Sequence, Tuple

from mmpose.datasets.datasets.utils import parse_pose_metainfo


def flip_pairs(flip_indices: Sequence[int]) -> List[Tuple[int, int]]:
    """Left/right pairs ``(i, j)``, ``i < j``, of a ``flip_indices`` list.

    Keypoints that map to themselves (e.g. a nose) belong to no pair.

    Args:
        flip_indices (Sequence[int]): Index of each keypoint's mirror
            keypoint, as in mmpose's dataset metainfo; length K.

    Returns:
        list[tuple[int, int]]: The pairs in the order of their first index.

    Raises:
        ValueError: If ``flip_indices`` is not a symmetric permutation of
            ``range(K)``.
    """
    flip = [int(j) for j in flip_indices]
    num = len(flip)
    bad = [i for i, j in enumerate(flip) if not 0 <= j < num or flip[j] != i]
    if bad:
        raise ValueError(
            f'flip_indices {flip} is not symmetric (keypoint {bad[0]} maps to '
            f'{flip[bad[0]]}, which does not map back): every left keypoint '
            'must map to its right partner and back (check the "swap" names '
            'of the dataset metainfo)')
    return [(i, j) for i, j in enumerate(flip) if i < j]


def pair_name(left_name: str, right_name: str) -> str:
    """``('left_hem', 'right_hem')`` -> ``'hem'``; other names -> ``'a-b'``.

    Args:
        left_name (str): Name of the pair's first keypoint.
        right_name (str): Name of the pair's second keypoint.

    Returns:
        str: The common part name, or both names joined by ``-``.
    """
    for a, b in (('left_', 'right_'), ('right_', 'left_')):
        if (left_name.startswith(a) and right_name.startswith(b)
                and left_name[len(a):] == right_name[len(b):]):
            return left_name[len(a):]
    return f'{left_name}-{right_name}'


def load_pair_layout(
    metainfo: Optional[dict] = None
) -> Tuple[List[Tuple[int, int]], Dict[int, str]]:
    """Pairs and keypoint names of a dataset metainfo.

    Args:
        metainfo (dict, optional): mmpose dataset metainfo, either
            ``dict(from_file='configs/_base_/datasets/xxx.py')`` or the
            ``dataset_info`` dict itself, or an already parsed metainfo (with
            ``flip_indices``). Defaults to the GLE 8-landmark layout
            (:data:`gle.datasets.FASHION_METAINFO`, what the fashion datasets
            use).

    Returns:
        tuple:
        - pairs (list[tuple[int, int]]): ``(left, right)`` keypoint
          indices of every pair (:func:`flip_pairs`; a pair whose names
          say ``right_...`` / ``left_...`` is put left first).
        - id2name (dict[int, str]): Keypoint names by index.
    """
    if metainfo is None:
        from ..datasets.fashion_metainfo import FASHION_METAINFO
        metainfo = FASHION_METAINFO
    if 'flip_indices' not in metainfo:
        metainfo = parse_pose_metainfo(dict(metainfo))
    flip = metainfo['flip_indices']
    id2name = metainfo.get('keypoint_id2name') or {
        k: f'keypoint_{k}'
        for k in range(len(flip))
    }
    pairs = []
    for i, j in flip_pairs(flip):
        if (str(id2name.get(i, '')).startswith('right')
                and str(id2name.get(j, '')).startswith('left')):
            i, j = j, i
        pairs.append((i, j))
    return pairs, dict(id2name)


def dataset_pairs(dataset_meta: Optional[dict], num_keypoints: int
                  ) -> Tuple[List[Tuple[int, int]], Dict[int, str]]:
    """Pairs and names for a metric: the dataset metainfo's when it has
    ``flip_indices``, else the GLE layout for 8 keypoints, else none.

    Args:
        dataset_meta (dict, optional): A metric's ``dataset_meta`` (mmpose's
            parsed metainfo).
        num_keypoints (int): Number of keypoints of the evaluated samples.

    Returns:
        tuple: As :func:`load_pair_layout`; ``([], {})`` without pairs.

    Raises:
        ValueError: If the metainfo's ``flip_indices`` do not have
            ``num_keypoints`` entries.
    """
    meta = dataset_meta or {}
    if meta.get('flip_indices') is not None:
        if len(meta['flip_indices']) != num_keypoints:
            raise ValueError(
                f'the dataset metainfo has {len(meta["flip_indices"])} '
                f'flip_indices for {num_keypoints} keypoints')
        return load_pair_layout(meta)
    from ..datasets.fashion_layout import NUM_LANDMARKS
    if num_keypoints == NUM_LANDMARKS:
        return load_pair_layout()
    return [], {}
