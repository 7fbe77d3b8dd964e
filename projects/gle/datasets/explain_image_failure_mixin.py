from typing import Any

from mmengine.dataset import force_full_init

from .image_check import explain_image_failure


class ExplainImageFailureMixin:
    """``prepare_data`` that names a bad image file.

    Put it before the mmengine/mmpose/mmdet dataset class in the bases: a
    pipeline failure caused by the sample's image file (missing, empty,
    truncated, undecodable) is re-raised as a clear
    :class:`~gle.datasets.image_check.ImageFileError` naming the file and
    the fix; any other failure propagates unchanged. Shared by the landmark
    datasets and the detector dataset, whose bases differ.
    """

    @force_full_init
    def prepare_data(self, idx: int) -> Any:
        """The base class's ``prepare_data``, with bad image files named."""
        try:
            return super().prepare_data(idx)
        except Exception as error:
            explain_image_failure(self.get_data_info(idx)['img_path'], error)
            raise
