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

    See :class:`BaseFashionDataset` for the unified landmarks, the entries,
    the policies and the arguments. For MMPose's FLD json files use
    :class:`FLDCocoDataset`.
    """

    HAS_VARIATION = True
