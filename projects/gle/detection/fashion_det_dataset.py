import os.path as osp
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, List, Optional, Sequence, Tuple, Union

import numpy as np
from mmdet.datasets import BaseDetDataset
from mmdet.registry import DATASETS
from mmengine.fileio import get_local_path
from PIL import Image

from ..datasets.annotation_error import FashionAnnotationError
from ..datasets.explain_image_failure_mixin import ExplainImageFailureMixin
from ..datasets.fashion_layout import CLOTHES_TYPES
from ..datasets.geometry_policy import ItemLocation, apply_geometry_policy
from ..datasets.image_check import IMAGE_FIXES
from ..datasets.raw_fashion_files_mixin import RawFashionFilesMixin

#: ``fmt`` values and whether their landmark rows carry ``variation_type``
FORMATS = {'deepfashion-c': False, 'fld': True}


def _read_image_size(path: str) -> Tuple[int, int]:
    """``(width, height)`` from the image header (no pixel decoding)."""
    with get_local_path(path) as local_path:
        with Image.open(local_path) as img:
            return img.size


@DATASETS.register_module()
class FashionDetDataset(RawFashionFilesMixin, ExplainImageFailureMixin,
                        BaseDetDataset):
    """Clothing detection on the raw DeepFashion-C / FLD trees (mmdet).

    Reads the same ``Anno/list_landmarks.txt``, ``Anno/list_bbox.txt`` and
    ``Eval/list_eval_partition.txt`` as the landmark datasets, through the
    same parser (``gle.datasets.raw_annotation``: one definition of the
    format rules and of the malformed-input errors), and keeps one split.
    Both benchmarks annotate one clothing item per image, so every image has
    exactly one box; its label is the clothes type of the landmark row:
    0 ``upper``, 1 ``lower``, 2 ``full`` (``clothes_type`` 1, 2, 3).

    The image width and height that mmdet needs are read once, at load time,
    from the image headers (PIL, no decoding; threads for slow file systems).

    Each ``data_list`` entry (mmdet's format) holds ``img_id`` (1-based row
    of the landmark file), ``img_path``, ``width``, ``height`` and
    ``instances``: one ``dict(bbox=[x1, y1, x2, y2], bbox_label,
    ignore_flag=0)``; plus ``clothes_type``, ``variation_type`` (0 for
    DeepFashion-C) and ``image_name`` for tracing.

    Policies (as in the landmark datasets): a malformed line raises a
    :class:`FashionAnnotationError` with file, line and fix; a degenerate box,
    a box off its image, or an image that cannot be opened raises as well,
    unless ``skip_invalid=True``, which drops such images with one counted
    warning. Boxes are kept as annotated (mmdet's transforms clip them).

    Args:
        data_root (str): The folder holding ``Anno/``, ``Eval/`` and ``img/``.
        split (str): ``'train'``, ``'val'`` or ``'test'``. Default: 'train'.
        fmt (str): ``'deepfashion-c'`` (no ``variation_type`` column) or
            ``'fld'``. Default: 'deepfashion-c'.
        ann_file (str): Landmark file (holds the clothes types), relative to
            ``data_root`` unless absolute.
            Default: 'Anno/list_landmarks.txt'.
        bbox_ann_file (str): Box file. Default: 'Anno/list_bbox.txt'.
        partition_file (str): Split file.
            Default: 'Eval/list_eval_partition.txt'.
        skip_invalid (bool): Skip unusable images (one warning) instead of
            raising. Default: ``False``.
        data_prefix (dict): ``img`` prefix of the listed image names,
            relative to ``data_root``; empty means ``data_root`` (the names
            start with ``img/``). Default: ``dict(img='')``.
        num_workers (int): Threads reading image headers. Default: 8.
        **kwargs: mmdet's / mmengine's dataset arguments (``metainfo``,
            ``pipeline``, ``test_mode``, ``lazy_init``, ``indices``,
            ``filter_cfg``, ``serialize_data``, ``backend_args`` ...).
    """

    METAINFO = dict(
        classes=tuple(CLOTHES_TYPES[k] for k in sorted(CLOTHES_TYPES)),
        # RGB; distinct from the landmark colours (yellow left, red right)
        palette=[(0, 114, 230), (0, 170, 80), (170, 60, 230)])

    def __init__(self,
                 data_root: str,
                 split: str = 'train',
                 fmt: str = 'deepfashion-c',
                 ann_file: str = 'Anno/list_landmarks.txt',
                 bbox_ann_file: str = 'Anno/list_bbox.txt',
                 partition_file: str = 'Eval/list_eval_partition.txt',
                 skip_invalid: bool = False,
                 data_prefix: dict = dict(img=''),
                 num_workers: int = 8,
                 pipeline: List[Union[dict, Callable]] = [],
                 **kwargs) -> None:
        if fmt not in FORMATS:
            raise ValueError(
                f'{self.__class__.__name__}: invalid fmt={fmt!r}; allowed '
                f'values: {", ".join(map(repr, FORMATS))}')
        data_root = self._init_raw_files(data_root, split, bbox_ann_file,
                                         partition_file)
        self.fmt = fmt
        self.skip_invalid = skip_invalid
        self.num_workers = num_workers
        super().__init__(
            data_root=data_root,
            ann_file=ann_file,
            data_prefix=data_prefix,
            pipeline=pipeline,
            **kwargs)

    def load_data_list(self) -> List[dict]:
        """Parse the three files, read the image sizes, build the entries."""
        raw = self._load_raw_split(FORMATS[self.fmt])
        img_root = self.data_prefix.get('img') or self.data_root
        items = raw.items
        paths = [osp.join(img_root, it.image_name) for it in items]
        locations = [
            ItemLocation(self.bbox_ann_file, it.bbox_line, self.ann_file,
                         it.landmark_line) for it in items
        ]
        sizes, unreadable = self._read_sizes(paths)

        if unreadable:
            idx, error = unreadable[0]
            loc = locations[idx]
            problem = f'cannot read the size of image {paths[idx]} ({error})'
            fix = IMAGE_FIXES['unreadable' if osp.isfile(paths[idx]
                                                         ) else 'missing']
            if not self.skip_invalid:
                raise FashionAnnotationError(
                    loc.box_file, loc.box_line, problem,
                    f'{fix}; or pass skip_invalid=True to skip such images')
            warnings.warn(f'{self.__class__.__name__}: skipped '
                          f'{len(unreadable)} unreadable image(s) '
                          f'(skip_invalid=True); first: {loc.box_file}:'
                          f'{loc.box_line}: {problem}')
        bad = {idx for idx, _ in unreadable}
        readable = [i for i in range(len(items)) if i not in bad]

        # the geometry policy of the landmark readers, boxes only (landmarks
        # are not the detector's business)
        keep = apply_geometry_policy(
            bboxes=np.array([items[i].bbox for i in readable]).reshape(-1, 4),
            keypoints=None,
            visible=None,
            locations=[locations[i] for i in readable],
            skip_invalid=self.skip_invalid,
            owner=self.__class__.__name__,
            img_sizes=np.array([sizes[i] for i in readable]).reshape(-1, 2))

        data_list = []
        for i in (i for i, kept in zip(readable, keep) if kept):
            item = items[i]
            width, height = sizes[i]
            data_list.append(
                dict(
                    img_id=item.row,
                    img_path=paths[i],
                    width=int(width),
                    height=int(height),
                    instances=[
                        dict(
                            bbox=[float(v) for v in item.bbox],
                            bbox_label=item.clothes_type - 1,
                            ignore_flag=0)
                    ],
                    clothes_type=item.clothes_type,
                    variation_type=item.variation_type,
                    image_name=item.image_name))
        if not data_list:
            self._empty_split(raw.split_sizes, len(items))
        return data_list

    def _read_sizes(
        self, paths: Sequence[str]
    ) -> Tuple[List[Optional[Tuple[int, int]]], List[Tuple[int, str]]]:
        """Image ``(width, height)`` per path (``None`` when unreadable) and
        the ``(index, error)`` of the unreadable ones."""

        def read(path):
            try:
                return _read_image_size(path), None
            except Exception as e:  # noqa: BLE001  (reported with location)
                return None, f'{type(e).__name__}: {e}'

        workers = max(1, min(self.num_workers, len(paths)))
        if workers > 1:
            with ThreadPoolExecutor(workers) as pool:
                results = list(pool.map(read, paths))
        else:
            results = [read(p) for p in paths]
        sizes = [size for size, _ in results]
        unreadable = [(i, err) for i, (_, err) in enumerate(results)
                      if err is not None]
        return sizes, unreadable
