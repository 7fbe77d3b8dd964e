from mmpose.registry import DATASETS

from .base_fashion_dataset import BaseFashionDataset


@DATASETS.register_module()
class DeepFashionCDataset(BaseFashionDataset):
    """DeepFashion Category and Attribute Prediction benchmark (DeepFashion-C),
    landmark annotations, in the unified 8-landmark layout.

    "DeepFashion: Powering Robust Clothes Recognition and Retrieval with Rich
    Annotations", CVPR'2016. 289,222 images: 209,222 train, 40,000 val,
    40,000 test. Landmark rows are ``image_name clothes_type [visibility x y]
    * n`` (no ``variation_type`` column: ``variation_type`` is 0); image names
    look like ``img/Sheer_Pleated-Front_Blouse/img_00000001.jpg``.

    Unified landmarks (all clothes types)::

        0: 'left_collar',     1: 'right_collar',
        2: 'left_sleeve',     3: 'right_sleeve',
        4: 'left_waistline',  5: 'right_waistline',
        6: 'left_hem',        7: 'right_hem'

    Upper-body items fill slots 0-3, 6, 7; lower-body items 4-7; full-body
    items all. See :class:`BaseFashionDataset` for the entries, the policies
    and the arguments (``data_root``, ``split``, ``ann_file``,
    ``bbox_ann_file``, ``partition_file``, ``skip_invalid`` and mmpose's
    standard dataset arguments).
    """

    HAS_VARIATION = False
