import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

from mmengine.utils import is_abs
from mmpose.datasets.datasets.base import BaseCocoStyleDataset

from .fashion_layout import METAINFO_FILE, SPLITS, build_instance
from .geometry_policy import apply_geometry_policy
from .raw_annotation import load_raw_annotations


def _is_local(path: str) -> bool:
    return '://' not in path


class BaseFashionDataset(BaseCocoStyleDataset):
    """Base class of the raw-text DeepFashion-C / FLD readers.

    Reads ``Anno/list_landmarks.txt``, ``Anno/list_bbox.txt`` and
    ``Eval/list_eval_partition.txt`` (see ``gle.datasets.raw_annotation`` for
    the format and the malformed-input rules) and keeps the items of one
    split, each mapped into the 8 unified slots of
    ``configs/_base_/datasets/gle_fashion_landmarks.py``. It reuses mmpose's
    :class:`BaseCocoStyleDataset` for everything but reading (metainfo,
    ``get_data_info``, ``prepare_data``, top-down / bottom-up modes).

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

    Items without any visible landmark are kept (unlike mmpose's COCO
    filter): they contribute nothing to NE nor to the loss, and dropping them
    would silently change the split sizes.

    Policies: a malformed line anywhere in the three files raises a
    :class:`FashionAnnotationError` with file, line, problem and fix. A
    degenerate box (x2 <= x1 or y2 <= y1) raises as well, unless
    ``skip_invalid=True``, which drops such items with one counted warning. A
    visible landmark outside its box is kept, with one counted warning.
    Images are not opened (image-size checks are the job of
    ``tools/misc/check_fashion_dataset.py``).

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
        data_mode (str): ``'topdown'`` or ``'bottomup'``. Default: 'topdown'.
        metainfo (dict, optional): Meta information; defaults to the class
            ``METAINFO`` (the unified 8-landmark layout).
        data_prefix (dict): ``img`` prefix of image names, relative to
            ``data_root``; empty means ``data_root`` (image names start with
            ``img/``). Default: ``dict(img='')``.
        filter_cfg (dict, optional): mmpose's filter config
            (``bbox_score_thr``). Default: ``None``.
        indices (int or Sequence[int], optional): Keep only these items.
        serialize_data (bool): Serialise ``data_list``. Default: ``True``.
        pipeline (list): Processing pipeline. Default: [].
        test_mode (bool): Test phase. Default: ``False``.
        lazy_init (bool): Defer loading the annotations. Default: ``False``.
        max_refetch (int): Retries when the pipeline returns ``None``.
            Default: 1000.
    """

    METAINFO: dict = dict(from_file=METAINFO_FILE)
    #: whether landmark rows carry a ``variation_type`` column (FLD)
    HAS_VARIATION: bool = False

    def __init__(self,
                 data_root: str,
                 split: str = 'train',
                 ann_file: str = 'Anno/list_landmarks.txt',
                 bbox_ann_file: str = 'Anno/list_bbox.txt',
                 partition_file: str = 'Eval/list_eval_partition.txt',
                 skip_invalid: bool = False,
                 data_mode: str = 'topdown',
                 metainfo: Optional[dict] = None,
                 data_prefix: dict = dict(img=''),
                 filter_cfg: Optional[dict] = None,
                 indices: Optional[Union[int, Sequence[int]]] = None,
                 serialize_data: bool = True,
                 pipeline: List[Union[dict, Callable]] = [],
                 test_mode: bool = False,
                 lazy_init: bool = False,
                 max_refetch: int = 1000):
        if split not in SPLITS:
            raise ValueError(
                f'{self.__class__.__name__}: invalid split={split!r}; '
                f'allowed values for "split": {", ".join(map(repr, SPLITS))}')
        if not data_root:
            raise ValueError(
                f'{self.__class__.__name__}: "data_root" is required (the '
                'folder holding Anno/, Eval/ and img/)')
        if _is_local(data_root):
            data_root = osp.abspath(data_root)
        self.split = split
        self.bbox_ann_file = bbox_ann_file
        self.partition_file = partition_file
        self.skip_invalid = skip_invalid
        super().__init__(
            ann_file=ann_file,
            data_mode=data_mode,
            metainfo=metainfo,
            data_root=data_root,
            data_prefix=data_prefix,
            filter_cfg=filter_cfg,
            indices=indices,
            serialize_data=serialize_data,
            pipeline=pipeline,
            test_mode=test_mode,
            lazy_init=lazy_init,
            max_refetch=max_refetch)

    def _join_prefix(self):
        """Also join the box and partition files with ``data_root``."""
        super()._join_prefix()
        for attr in ('bbox_ann_file', 'partition_file'):
            path = getattr(self, attr)
            if path and not is_abs(path):
                setattr(self, attr, osp.join(self.data_root, path))

    def _load_annotations(self) -> Tuple[List[dict], List[dict]]:
        """Parse the three files and build the instances of ``split``."""
        records = load_raw_annotations(
            self.ann_file,
            self.bbox_ann_file,
            self.partition_file,
            self.HAS_VARIATION,
            split=self.split)
        img_root = self.data_prefix.get('img') or self.data_root
        instances, locations = [], []
        for rec in records:
            img_path = osp.join(img_root, rec['image_name'])
            raw_ann_info = dict(
                image_name=rec['image_name'],
                split=rec['split'],
                landmark_line=rec['line'],
                bbox_line=rec['bbox_line'],
                partition_line=rec['partition_line'])
            instances.append(
                build_instance(
                    img_id=rec['row'],
                    img_path=img_path,
                    bbox_xyxy=rec['bbox'],
                    clothes_type=rec['clothes_type'],
                    variation_type=rec['variation_type'],
                    keypoints=rec['keypoints'],
                    visibility_codes=rec['codes'],
                    raw_ann_info=raw_ann_info))
            locations.append((self.bbox_ann_file, rec['bbox_line']))
        instances = apply_geometry_policy(instances, locations,
                                          self.skip_invalid,
                                          self.__class__.__name__)
        image_list = [
            dict(img_id=inst['img_id'], img_path=inst['img_path'])
            for inst in instances
        ]
        return instances, image_list

    def _get_topdown_data_infos(self, instance_list: List[Dict]) -> List[Dict]:
        """Keep every instance: validity was decided while parsing (see the
        class docstring); mmpose's filter would drop items whose landmarks
        are all occluded."""
        return instance_list
