from mmpose.registry import DATASETS

from .base_fashion_dataset import BaseFashionDataset


@DATASETS.register_module()
class FLDDataset(BaseFashionDataset):
    """Fashion Landmark Detection benchmark (FLD, "in the wild"), raw text
    annotations, in the unified 8-landmark layout.

    "Fashion Landmark Detection in the Wild", ECCV'2016. 123,016 images:
    83,033 train, 19,991 val, 19,991 test. Landmark rows are ``image_name
    clothes_type variation_type [visibility x y] * n`` with ``variation_type``
    1 normal pose, 2 medium pose, 3 large pose, 4 medium zoom-in, 5 large
    zoom-in; image names look like ``img/img_00000001.jpg``.

    Unified landmarks (all clothes types)::

        0: 'left_collar',     1: 'right_collar',
        2: 'left_sleeve',     3: 'right_sleeve',
        4: 'left_waistline',  5: 'right_waistline',
        6: 'left_hem',        7: 'right_hem'

    Upper-body items fill slots 0-3, 6, 7; lower-body items 4-7; full-body
    items all. See :class:`BaseFashionDataset` for the entries, the policies
    and the arguments (``data_root``, ``split``, ``ann_file``,
    ``bbox_ann_file``, ``partition_file``, ``skip_invalid`` and mmpose's
    standard dataset arguments). For MMPose's FLD json files use
    :class:`FLDCocoDataset`.
    """

    HAS_VARIATION = True
