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

    See :class:`BaseFashionDataset` for the unified landmarks, the entries,
    the policies and the arguments.
    """

    HAS_VARIATION = False
