from typing import Dict, List

from mmpose.datasets.datasets.base import BaseCocoStyleDataset

from .explain_image_failure_mixin import ExplainImageFailureMixin
from .fashion_metainfo import FASHION_METAINFO


class FashionCocoStyleDataset(ExplainImageFailureMixin, BaseCocoStyleDataset):
    """mmpose's :class:`BaseCocoStyleDataset` in the unified 8-landmark
    layout: the base of the raw-text readers (:class:`BaseFashionDataset`)
    and of :class:`FLDCocoDataset`.

    What the two share: the default ``METAINFO``
    (:data:`gle.datasets.FASHION_METAINFO`), ``skip_invalid``, every parsed
    instance kept (unlike mmpose's COCO filter, which drops instances whose
    landmarks are all occluded or truncated: they contribute nothing to NE
    nor to the loss, and dropping them would silently change the split
    sizes), and bad image files named when the pipeline fails
    (:class:`ExplainImageFailureMixin`). Subclasses read the annotations
    (``_load_annotations``, ``parse_data_info``).

    Args:
        skip_invalid (bool): Skip items with an unusable box (one warning)
            instead of raising. Default: ``False``.
        **kwargs: The arguments of mmpose's :class:`BaseCocoStyleDataset`
            (``ann_file``, ``data_mode``, ``metainfo`` (default: the class
            ``METAINFO``), ``data_root``, ``data_prefix``, ``filter_cfg``,
            ``indices``, ``serialize_data``, ``pipeline``, ``test_mode``,
            ``lazy_init``, ``max_refetch``, ``sample_interval``), except
            ``bbox_file``: the readers use the annotated boxes.
    """

    METAINFO: dict = FASHION_METAINFO

    def __init__(self, skip_invalid: bool = False, **kwargs) -> None:
        if kwargs.get('bbox_file'):
            raise ValueError(
                f'{self.__class__.__name__}: bbox_file (detection results) '
                'is not supported: the fashion datasets crop the annotated '
                'boxes, which also normalise NE')
        self.skip_invalid = skip_invalid
        super().__init__(**kwargs)

    def _get_topdown_data_infos(self, instance_list: List[Dict]) -> List[Dict]:
        """Keep every instance: validity was decided while parsing (see the
        class docstring)."""
        return instance_list
