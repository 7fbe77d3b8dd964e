import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from mmengine.fileio import load
from mmengine.utils import is_abs
from mmpose.registry import DATASETS
from mmpose.structures.bbox import bbox_xywh2xyxy

from .annotation_error import FashionAnnotationError, raise_or_warn_empty
from .fashion_coco_style_dataset import FashionCocoStyleDataset
from .fashion_layout import (CLOTHES_TYPE_SLOTS, CLOTHES_TYPES, LANDMARK_NAMES,
                             NUM_LANDMARKS, TRUNCATED, VARIATION_TYPES,
                             build_instance, to_unified_slots)
from .geometry_policy import ItemLocation, apply_geometry_policy

#: COCO ``v`` -> raw visibility code. MMPose's FLD json writes v=2 for
#: visible, v=1 for occluded and (0, 0, 0) for truncated landmarks (the real
#: sample: a full-body item cut off at the image border has its hem at
#: (0, 0, 0)); slots of other clothes types are not in the file at all.
COCO_V_TO_CODE: Dict[int, int] = {2: 0, 1: 1, 0: TRUNCATED}

_CLOTHES_TYPE_IDS = {name: ctype for ctype, name in CLOTHES_TYPES.items()}


@DATASETS.register_module()
class FLDCocoDataset(FashionCocoStyleDataset):
    """MMPose's COCO-json version of FLD (``fld_{upper,lower,full}_{split}
    .json``) read into the unified 8-landmark layout.

    MMPose ships one json per clothes type, each with its own keypoint list
    (upper 6, lower 4, full 8). This reader maps every file into the 8 slots
    of :data:`gle.datasets.FASHION_METAINFO`, so the three
    files of a split can be read together (``ann_file`` may be a list) and
    fed to one model. The clothes type of a file comes from the keypoint
    names of its category (``'left collar'`` -> ``left_collar``), or from
    the keypoint count (6, 4, 8) when the category has no names; the
    ``clothes_type`` argument, when given, must agree.

    ``v`` mapping (:data:`COCO_V_TO_CODE`): v=2 -> code 0 (visible), v=1 ->
    code 1 (occluded), v=0 -> code 2 (truncated: the item is of a clothes
    type that has this landmark, so it is cut off, not absent). Only code 0
    is visible. Slots the clothes type lacks get code -1 and (0, 0). ``bbox``
    is converted from xywh to xyxy as annotated, without mmpose's clipping to
    the image (clipping would change the NE normaliser); ``variation_type``
    is read from an annotation's ``variation_type`` field if present, else 0
    (MMPose's json does not carry it).

    Entries are the same as :class:`BaseFashionDataset`'s, except ``id``
    (the annotation id), ``img_id`` (the image id) and ``raw_ann_info`` (the
    json annotation plus ``ann_file``). Policies are the same too, with the
    image size from the json: a degenerate box or a box off the image raises
    (or is skipped with ``skip_invalid=True``), a visible landmark outside
    its box or the image and a box partly outside the image are kept with
    one counted warning. Malformed annotations raise a
    :class:`FashionAnnotationError` naming the file and
    ``annotations[<index>]``.

    Args:
        ann_file (str | Sequence[str]): One json file or several (e.g. the
            upper, lower and full files of one split), relative to
            ``data_root`` unless absolute.
        clothes_type (str, optional): ``'upper'``, ``'lower'`` or ``'full'``
            to assert the files' clothes type. Default: ``None`` (inferred).
        skip_invalid (bool): Skip items with an unusable box (one warning)
            instead of raising. Default: ``False``.
        data_root (str, optional): Root of ``ann_file`` and ``data_prefix``.
        data_prefix (dict): Image folder. Default: ``dict(img='img/')``.
        **kwargs: mmpose's dataset arguments (see
            :class:`FashionCocoStyleDataset`).
    """

    def __init__(self,
                 ann_file: Union[str, Sequence[str]] = '',
                 clothes_type: Optional[str] = None,
                 skip_invalid: bool = False,
                 data_root: Optional[str] = None,
                 data_prefix: dict = dict(img='img/'),
                 **kwargs):
        if clothes_type is not None and clothes_type not in _CLOTHES_TYPE_IDS:
            raise ValueError(
                f'{self.__class__.__name__}: invalid clothes_type='
                f'{clothes_type!r}; allowed values for "clothes_type": None, '
                f'{", ".join(map(repr, _CLOTHES_TYPE_IDS))}')
        if not ann_file:
            raise ValueError(f'{self.__class__.__name__}: "ann_file" is '
                             'required (one json path or a list of them)')
        if data_root and '://' not in data_root:
            data_root = osp.abspath(data_root)
        self.clothes_type = clothes_type
        super().__init__(
            ann_file=ann_file,
            skip_invalid=skip_invalid,
            data_root=data_root,
            data_prefix=data_prefix,
            **kwargs)

    @property
    def ann_files(self) -> List[str]:
        """The json files, as a list."""
        if isinstance(self.ann_file, str):
            return [self.ann_file]
        return list(self.ann_file)

    def _join_prefix(self):
        """``BaseDataset._join_prefix`` for a list of annotation files."""
        files = self.ann_files
        self.ann_file = ''
        super()._join_prefix()
        if self.data_root:
            files = [
                f if is_abs(f) else osp.join(self.data_root, f) for f in files
            ]
        self.ann_file = files[0] if len(files) == 1 else files

    def _load_annotations(self) -> Tuple[List[dict], List[dict]]:
        """Read every json file into unified instances."""
        instances, locations, img_sizes = [], [], []
        image_list: Dict[int, dict] = {}
        seen_ids: Dict[int, str] = {}
        for file in self.ann_files:
            data = self._load_json(file)
            slots_of = {
                cat['id']: self._category_slots(file, i, cat, data)
                for i, cat in enumerate(data['categories'])
            }
            images = self._index_images(file, data['images'])
            for idx, ann in enumerate(data['annotations']):
                where = f'annotations[{idx}] (id={ann.get("id")})'
                if 'id' not in ann:
                    raise FashionAnnotationError(
                        file, f'annotations[{idx}]', 'the annotation has no '
                        '"id"', 'give every annotation a unique "id" (as in '
                        'MMPose\'s FLD json files)')
                img = images.get(ann.get('image_id'))
                if img is None:
                    raise FashionAnnotationError(
                        file, where, f'image_id {ann.get("image_id")!r} is '
                        'not in "images"', 'add the image entry')
                if img['id'] % self.sample_interval != 0:
                    continue
                if ann['id'] in seen_ids:
                    raise FashionAnnotationError(
                        file, where, f'duplicate annotation id {ann["id"]} '
                        f'(also in {seen_ids[ann["id"]]})',
                        'keep one annotation per id')
                seen_ids[ann['id']] = file
                inst = self.parse_data_info(
                    dict(
                        raw_ann_info=ann,
                        raw_img_info=img,
                        ann_file=file,
                        location=where,
                        category_slots=slots_of))
                instances.append(inst)
                locations.append(ItemLocation(file, where, file, where))
                img_sizes.append((img.get('width',
                                          np.inf), img.get('height', np.inf)))
                image_list.setdefault(
                    img['id'],
                    dict(img_id=img['id'], img_path=inst['img_path']))
        keep = apply_geometry_policy(
            bboxes=np.concatenate([i['bbox']
                                   for i in instances] + [np.zeros((0, 4))]),
            keypoints=np.concatenate([i['keypoints'] for i in instances] +
                                     [np.zeros((0, NUM_LANDMARKS, 2))]),
            visible=np.concatenate([i['keypoints_visible']
                                    for i in instances] +
                                   [np.zeros((0, NUM_LANDMARKS))]) > 0.5,
            locations=locations,
            skip_invalid=self.skip_invalid,
            owner=self.__class__.__name__,
            img_sizes=np.array(img_sizes, dtype=np.float64).reshape(-1, 2))
        kept = [inst for inst, k in zip(instances, keep) if k]
        if not kept:
            self._empty(len(instances))
        return kept, list(image_list.values())

    def _empty(self, parsed: int) -> None:
        """Explain an empty dataset (see
        :func:`~gle.datasets.annotation_error.raise_or_warn_empty`)."""
        files = ', '.join(self.ann_files)
        problem = (f'{self.__class__.__name__}: all {parsed} annotations have '
                   'an unusable box and skip_invalid=True drops them'
                   if parsed else f'{self.__class__.__name__}: no annotation '
                   f'(sample_interval={self.sample_interval})')
        raise_or_warn_empty(
            FashionAnnotationError(
                files, None, problem, 'check the ann_file list (one json per '
                'clothes type of the split) and the annotations'),
            self.serialize_data)

    @staticmethod
    def _load_json(file: str) -> dict:
        """Load one json file and check that it is a COCO keypoint file."""
        try:
            data = load(file)
        except ValueError as e:  # json.JSONDecodeError, a ValueError
            raise FashionAnnotationError(file, None, f'not valid json ({e})',
                                         're-download the file') from None
        for key in ('images', 'annotations', 'categories'):
            if not isinstance(data, dict) or key not in data:
                raise FashionAnnotationError(
                    file, None, f'not a COCO keypoint file (no "{key}")',
                    'use MMPose\'s fld_{upper,lower,full}_<split>.json')
        return data

    @staticmethod
    def _index_images(file: str, images: List[dict]) -> Dict[int, dict]:
        """``images`` by id; each entry needs an ``id`` and a ``file_name``.
        """
        by_id = {}
        for index, img in enumerate(images):
            missing = [k for k in ('id', 'file_name') if k not in img]
            if missing:
                raise FashionAnnotationError(
                    file, f'images[{index}]', 'the image entry has no '
                    f'{" and no ".join(repr(k) for k in missing)} field',
                    'give every image an "id" and a "file_name" (relative '
                    'to data_prefix[\'img\']), as MMPose\'s FLD json files do')
            by_id[img['id']] = img
        return by_id

    def _category_slots(self, file: str, index: int, cat: dict,
                        data: dict) -> Optional[Tuple[int, Tuple[int, ...]]]:
        """Clothes type and slot of each keypoint of one category (``None``
        for an unnamed category no annotation uses)."""
        where = f'categories[{index}]'
        names = cat.get('keypoints') or []
        if names:
            norm = [str(n).strip().lower().replace(' ', '_') for n in names]
            unknown = [n for n in norm if n not in LANDMARK_NAMES]
            if unknown or len(set(norm)) != len(norm):
                raise FashionAnnotationError(
                    file, where, f'keypoint names {names} are not distinct '
                    f'names of {list(LANDMARK_NAMES)}',
                    'use MMPose\'s FLD json files')
            slots = tuple(LANDMARK_NAMES.index(n) for n in norm)
            matches = [
                c for c, s in CLOTHES_TYPE_SLOTS.items()
                if sorted(slots) == list(s)
            ]
            if not matches:
                raise FashionAnnotationError(
                    file, where, f'keypoints {names} are not the landmark '
                    'set of an upper, lower or full-body item',
                    'use MMPose\'s FLD json files')
            ctype = matches[0]
        else:
            anns = [
                a for a in data['annotations']
                if a.get('category_id') == cat['id']
            ]
            if not anns:
                return None  # unused category: nothing to map
            count = len(anns[0]['keypoints']) // 3
            by_count = {len(s): c for c, s in CLOTHES_TYPE_SLOTS.items()}
            if count not in by_count:
                raise FashionAnnotationError(
                    file, where, 'the category names no keypoints and the '
                    f'annotations have {count} (expected 6, 4 or 8)',
                    'pass clothes_type= or use MMPose\'s FLD json files')
            ctype = by_count[count]
            slots = CLOTHES_TYPE_SLOTS[ctype]
        if self.clothes_type and _CLOTHES_TYPE_IDS[self.clothes_type] != ctype:
            raise FashionAnnotationError(
                file, where, f'the file holds {CLOTHES_TYPES[ctype]}-body '
                f'items but clothes_type={self.clothes_type!r}',
                'fix the clothes_type argument or the file list')
        return ctype, slots

    def parse_data_info(self, raw_data_info: dict) -> dict:
        """One json annotation -> one unified top-down instance.

        Args:
            raw_data_info (dict): ``raw_ann_info`` (the annotation),
                ``raw_img_info`` (its image entry), ``ann_file``,
                ``location`` (e.g. ``annotations[3] (id=7)``, for messages)
                and ``category_slots`` (category id -> clothes type and slot
                of each keypoint).

        Returns:
            dict: The ``data_list`` entry.
        """
        ann, img = raw_data_info['raw_ann_info'], raw_data_info['raw_img_info']
        file, where = raw_data_info['ann_file'], raw_data_info['location']
        slots_of = raw_data_info['category_slots']
        if slots_of.get(ann.get('category_id')) is None:
            raise FashionAnnotationError(
                file, where, f'category_id {ann.get("category_id")!r} is not '
                'in "categories"', 'fix the category id')
        ctype, slots = slots_of[ann['category_id']]
        try:
            kpts = np.asarray(ann['keypoints'], dtype=np.float64)
            box = np.asarray(ann['bbox'], dtype=np.float64).reshape(1, 4)
        except (KeyError, TypeError, ValueError) as e:
            raise FashionAnnotationError(
                file, where, f'missing or non-numeric keypoints / bbox ({e})',
                'repair the annotation') from None
        if kpts.shape != (3 * len(slots), ):
            raise FashionAnnotationError(
                file, where, f'expected {3 * len(slots)} keypoint values '
                f'({len(slots)} x [x, y, v]) for a '
                f'{CLOTHES_TYPES[ctype]}-body item, got {kpts.size}',
                'repair the annotation')
        kpts = kpts.reshape(-1, 3)
        if not np.isfinite(kpts).all():
            k = int(np.flatnonzero(~np.isfinite(kpts).all(axis=1))[0])
            bad = 'NaN' if np.isnan(kpts[k]).any() else 'an infinite value'
            raise FashionAnnotationError(
                file, where, f'keypoint {k + 1} ([x, y, v] = '
                f'{kpts[k].tolist()}) holds {bad}', 'repair the annotation '
                '(a landmark that is not annotated is written 0, 0, 0)')
        bad_v = [v for v in kpts[:, 2] if v not in COCO_V_TO_CODE]
        if bad_v:
            raise FashionAnnotationError(
                file, where, f'keypoint visibility v={bad_v[0]:g} is not one '
                'of 0, 1, 2', 'repair the annotation')
        variation = ann.get('variation_type', 0)
        if variation not in VARIATION_TYPES:
            raise FashionAnnotationError(
                file, where, f'variation_type {variation!r} is not one of '
                '0-5', 'repair the annotation')
        codes = np.array([COCO_V_TO_CODE[int(v)] for v in kpts[:, 2]])
        keypoints, unified_codes = to_unified_slots(
            ctype, codes, kpts[:, :2], slots=slots)

        img_root = self.data_prefix.get('img') or self.data_root or ''
        img_path = osp.join(img_root, img['file_name'])
        if '://' not in img_path:
            img_path = osp.abspath(img_path)
        return build_instance(
            img_id=img['id'],
            img_path=img_path,
            bbox_xyxy=bbox_xywh2xyxy(box)[0],
            clothes_type=ctype,
            variation_type=variation,
            keypoints=keypoints,
            visibility_codes=unified_codes,
            raw_ann_info=dict(ann, ann_file=file),
            instance_id=ann['id'])
