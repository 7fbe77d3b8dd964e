"""The PyTorch (mmdet) clothing detector."""
from pathlib import Path
from typing import Union

import numpy as np
from mmengine.config import Config
from mmengine.structures import InstanceData

from ..model_init import init_clothing_detector


class TorchClothingDetector:
    """BGR image -> raw detections with an mmdet detector.

    The detector backend of ``FashionLandmarkInferencer``; the inferencer
    filters the detections (score, classes, size) and runs NMS itself, the
    same way for every backend.

    Args:
        config (str | Path | Config): The detector config (configs/det/).
        checkpoint (str): Its checkpoint (strictly checked, see
            ``init_clothing_detector``).
        device (str): ``'cpu'``, ``'cuda'`` ... Default: 'cpu'.

    Attributes:
        model (nn.Module): The mmdet detector.
        dataset_meta (dict): ``classes`` (label order) and ``palette``.
    """

    def __init__(self,
                 config: Union[str, Path, Config],
                 checkpoint: str,
                 device: str = 'cpu') -> None:
        self.model = init_clothing_detector(config, checkpoint, device)

    @property
    def dataset_meta(self) -> dict:
        return self.model.dataset_meta

    def __call__(self, image: np.ndarray) -> InstanceData:
        """Detect.

        Args:
            image (np.ndarray): BGR image, shape (H, W, 3).

        Returns:
            InstanceData: numpy ``bboxes`` (M, 4) xyxy in image pixels,
            ``scores`` (M, ), ``labels`` (M, ) (indices into
            ``dataset_meta['classes']``).
        """
        from mmdet.apis import inference_detector

        pred = inference_detector(self.model, image).pred_instances
        return pred.cpu().numpy()
