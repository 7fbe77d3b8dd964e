import os.path as osp
from typing import List, Tuple

import numpy as np

from .fashion_coco_style_dataset import FashionCocoStyleDataset
from .fashion_layout import NUM_LANDMARKS, VISIBLE, build_instance
from .geometry_policy import ItemLocation, apply_geometry_policy
from .raw_annotation import RawFashionItem
from .raw_fashion_files_mixin import RawFashionFilesMixin


class BaseFashionDataset(RawFashionFilesMixin, FashionCocoStyleDataset):
    """Base class of the raw-text DeepFashion-C / FLD readers.

    Reads ``Anno/list_landmarks.txt``, ``Anno/list_bbox.txt`` and
    ``Eval/list_eval_partition.txt`` (see ``gle.datasets.raw_annotation`` for
    the format and the malformed-input rules) and keeps the items of one
    split, each mapped into the 8 unified slots of
    :data:`gle.datasets.FASHION_METAINFO` (the default ``METAINFO``). It
    reuses mmpose's :class:`BaseCocoStyleDataset` for everything but reading
    (metainfo, ``get_data_info``, ``prepare_data``, top-down / bottom-up
    modes): :meth:`_load_annotations` reads the three files into typed
    :class:`RawFashionItem` records, applies the error and geometry
    policies, and :meth:`parse_data_info` turns each item into an instance,
    as mmpose's COCO datasets do for each json annotation.

    Unified landmarks (all clothes types)::

        0: 'left_collar',     1: 'right_collar',
        2: 'left_sleeve',     3: 'right_sleeve',
        4: 'left_waistline',  5: 'right_waistline',
        6: 'left_hem',        7: 'right_hem'

    Upper-body items fill slots 0-3, 6, 7; lower-body items 4-7; full-body
    items all. Subclasses name the benchmark and whether its landmark rows
    carry a ``variation_type`` column (:attr:`HAS_VARIATION`).

    Each top-down ``data_list`` entry holds:

    - ``img_id``, ``id`` (int): 1-based row index in the landmark file
      (DeepFashion-C restarts image numbers in every category folder, so
      file names are not unique ids).
    - ``img_path`` (str): ``data_prefix['img']`` (default ``data_root``)
      joined with the listed image name; absolute for local paths.
    - ``bbox`` (1, 4) float32 xyxy as annotated; ``bbox_score`` (1,) ones.
    - ``keypoints`` (1, 8, 2) float32; slots the clothes type does not have
      are (0, 0).
    - ``keypoints_visible`` (1, 8) float32: 1.0 only for visibility code 0;
      occluded (1), truncated (2) and absent slots are 0.
    - ``visibility_codes`` (1, 8) int32: 0, 1, 2 as annotated, -1 absent.
    - ``num_keypoints`` (int): number of visible landmarks.
    - ``category_id`` 1, ``clothes_type`` (1 upper, 2 lower, 3 full),
      ``variation_type`` (FLD 1-5, 0 for DeepFashion-C).
    - ``raw_ann_info`` (dict): ``image_name``, ``split`` and the line numbers
      ``landmark_line``, ``bbox_line``, ``partition_line`` of the item.

    Items without any visible landmark are kept (see
    :class:`FashionCocoStyleDataset`).

    Policies: a malformed line anywhere in the three files raises a
    :class:`FashionAnnotationError` with file, line, problem and fix. A
    degenerate box (x2 <= x1 or y2 <= y1) raises as well, unless
    ``skip_invalid=True``, which drops such items with one counted warning. A
    visible landmark outside its box is kept, with one counted warning (citing
    the landmark file). An empty split raises (a warning instead with
    ``serialize_data=False``), naming the split and the partition file.
    Images are not opened at load time (image checks are the job of
    ``tools/misc/check_fashion_dataset.py``); when the pipeline fails on a
    missing, empty or undecodable image file, :class:`ImageFileError` names
    the file and the problem.

    Args:
        data_root (str): The folder holding ``Anno/``, ``Eval/``, ``img/``.
        split (str): ``'train'``, ``'val'`` or ``'test'``. Default: 'train'.
        ann_file (str): Landmark file, relative to ``data_root`` unless
            absolute. Default: 'Anno/list_landmarks.txt'.
        bbox_ann_file (str): Box file (ground-truth boxes, not detections).
            Default: 'Anno/list_bbox.txt'.
        partition_file (str): Split file.
            Default: 'Eval/list_eval_partition.txt'.
        skip_invalid (bool): Skip items with a degenerate box (one warning)
            instead of raising. Default: ``False``.
        data_prefix (dict): ``img`` prefix of image names, relative to
            ``data_root``; empty means ``data_root`` (image names start with
            ``img/``). Default: ``dict(img='')``.
        **kwargs: mmpose's dataset arguments (see
            :class:`FashionCocoStyleDataset`), but ``sample_interval``:
            subsample a raw tree with ``indices``.
    """

    #: whether landmark rows carry a ``variation_type`` column (FLD)
    HAS_VARIATION: bool = False

    def __init__(self,
                 data_root: str,
                 split: str = 'train',
                 ann_file: str = 'Anno/list_landmarks.txt',
                 bbox_ann_file: str = 'Anno/list_bbox.txt',
                 partition_file: str = 'Eval/list_eval_partition.txt',
                 skip_invalid: bool = False,
                 data_prefix: dict = dict(img=''),
                 **kwargs):
        if kwargs.get('sample_interval', 1) != 1:
            raise ValueError(
                f'{self.__class__.__name__}: sample_interval is for the '
                'image ids of json files (FLDCocoDataset); subsample a raw '
                'tree with indices=')
        data_root = self._init_raw_files(data_root, split, bbox_ann_file,
                                         partition_file)
        super().__init__(
            ann_file=ann_file,
            skip_invalid=skip_invalid,
            data_root=data_root,
            data_prefix=data_prefix,
            **kwargs)

    def _load_annotations(self) -> Tuple[List[dict], List[dict]]:
        """Parse the three files and build the instances of ``split``."""
        raw = self._load_raw_split(self.HAS_VARIATION)
        items = raw.items
        keep = apply_geometry_policy(
            bboxes=np.array([it.bbox for it in items]).reshape(-1, 4),
            keypoints=np.array([it.keypoints for it in items
                                ]).reshape(-1, NUM_LANDMARKS, 2),
            visible=np.array([it.codes for it in items
                              ]).reshape(-1, NUM_LANDMARKS) == VISIBLE,
            locations=[
                ItemLocation(self.bbox_ann_file, it.bbox_line, self.ann_file,
                             it.landmark_line) for it in items
            ],
            skip_invalid=self.skip_invalid,
            owner=self.__class__.__name__)
        instance_list = [
            self.parse_data_info(item) for item, kept in zip(items, keep)
            if kept
        ]
        if not instance_list:
            self._empty_split(raw.split_sizes, len(items))
        image_list = [
            dict(img_id=inst['img_id'], img_path=inst['img_path'])
            for inst in instance_list
        ]
        return instance_list, image_list

    def parse_data_info(self, raw_data_info: RawFashionItem) -> dict:
        """One raw item (its three rows joined) -> one top-down instance.

        Args:
            raw_data_info (RawFashionItem): The item, landmarks in the 8
                unified slots.

        Returns:
            dict: The ``data_list`` entry described in the class docstring.
        """
        item = raw_data_info
        img_root = self.data_prefix.get('img') or self.data_root
        return build_instance(
            img_id=item.row,
            img_path=osp.join(img_root, item.image_name),
            bbox_xyxy=item.bbox,
            clothes_type=item.clothes_type,
            variation_type=item.variation_type,
            keypoints=item.keypoints,
            visibility_codes=item.codes,
            raw_ann_info=dict(
                image_name=item.image_name,
                split=item.split,
                landmark_line=item.landmark_line,
                bbox_line=item.bbox_line,
                partition_line=item.partition_line))
