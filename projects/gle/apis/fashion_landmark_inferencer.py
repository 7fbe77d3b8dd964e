from pathlib import Path
from typing import Optional, Sequence, Union

import numpy as np
from mmengine.config import Config

from .drawing import (default_palette, draw_fashion_landmarks,
                      palette_from_detector)
from .inference import inference_fashion_landmarks
from .model_init import init_clothing_detector, init_pose_model


class FashionLandmarkInferencer:
    """Clothing detector + GLE landmark model, ready to run on images.

    Builds both models once (checkpoints checked: a checkpoint of another
    model is an error, see ``load_checkpoint_checked``) and runs
    :func:`inference_fashion_landmarks` on each image.

    Example::

        >>> import cv2
        >>> from gle.apis import FashionLandmarkInferencer
        >>> inferencer = FashionLandmarkInferencer(
        ...     'configs/gle/td-hm_vgg16-gle2_1xb50-30e_'
        ...     'deepfashion-c-224x224.py', 'work_dirs/gle/best_NE.pth',
        ...     det_config='configs/det/rtmdet-tiny_8xb32-100e_'
        ...     'deepfashion-c-det.py', det_checkpoint='work_dirs/det/best.pth'
        ... )
        >>> image = cv2.imread('photo.jpg')
        >>> result = inferencer(image)
        >>> item = result['instances'][0]
        >>> item['clothes_type'], item['landmarks'][0]
        >>> cv2.imwrite('drawn.jpg', inferencer.draw(image, result))

    Args:
        pose_config (str | Path | Config): GLE config (configs/gle/).
        pose_checkpoint (str): Its checkpoint.
        det_config (str | Path | Config, optional): Clothing detector config
            (configs/det/). Without it, each image is one item (or the boxes
            passed to ``__call__``).
        det_checkpoint (str, optional): The detector checkpoint (required
            with ``det_config``).
        device (str): ``'cpu'``, ``'cuda'``, ``'cuda:1'`` ... Default: 'cpu'.
        det_score_thr (float): Minimum detection score. Default: 0.3.
        nms_thr (float): IoU threshold of the class-agnostic NMS of the
            detections. Default: 0.3.
        det_cat_ids (Sequence[int], optional): Detector labels to keep (all
            by default; our detector's are 0 upper, 1 lower, 2 full).
        fallback_whole_image (bool): When the detector finds nothing, use
            the whole image as one item of unknown type instead of returning
            no instances. Default: ``False``.
    """

    def __init__(self,
                 pose_config: Union[str, Path, Config],
                 pose_checkpoint: str,
                 det_config: Optional[Union[str, Path, Config]] = None,
                 det_checkpoint: Optional[str] = None,
                 device: str = 'cpu',
                 det_score_thr: float = 0.3,
                 nms_thr: float = 0.3,
                 det_cat_ids: Optional[Sequence[int]] = None,
                 fallback_whole_image: bool = False) -> None:
        if det_checkpoint is not None and det_config is None:
            raise ValueError('a detector checkpoint was given without its '
                             'detector config (--det-config)')
        if det_config is not None and det_checkpoint is None:
            raise ValueError('a detector config was given without its '
                             'checkpoint (--det-checkpoint)')
        self.pose_model = init_pose_model(pose_config, pose_checkpoint, device)
        self.det_model = None
        self.palette = default_palette()
        if det_config is not None:
            self.det_model = init_clothing_detector(det_config, det_checkpoint,
                                                    device)
            self.palette = palette_from_detector(self.det_model)
        self.det_score_thr = det_score_thr
        self.nms_thr = nms_thr
        self.det_cat_ids = det_cat_ids
        self.fallback_whole_image = fallback_whole_image

    @property
    def dataset_meta(self) -> dict:
        """The pose model's ``dataset_meta`` (landmark names, colours)."""
        return self.pose_model.dataset_meta

    def __call__(self,
                 image: np.ndarray,
                 bboxes: Optional[Sequence] = None) -> dict:
        """Run on one BGR image.

        Args:
            image (np.ndarray): BGR image (``cv2.imread``), shape (H, W, 3).
            bboxes (Sequence, optional): Box rows ``[x1, y1, x2, y2,
                (score), (clothes_type)]`` to use instead of the detector.

        Returns:
            dict: See :func:`inference_fashion_landmarks`.
        """
        return inference_fashion_landmarks(
            image,
            self.pose_model,
            det_model=self.det_model,
            bboxes=bboxes,
            det_score_thr=self.det_score_thr,
            nms_thr=self.nms_thr,
            det_cat_ids=self.det_cat_ids,
            fallback_whole_image=self.fallback_whole_image)

    def draw(self,
             image: np.ndarray,
             result: dict,
             kpt_thr: float = 0.3,
             radius: int = 3,
             thickness: int = 2) -> np.ndarray:
        """Draw ``result`` on ``image`` (BGR in, BGR out); see
        :func:`draw_fashion_landmarks`."""
        return draw_fashion_landmarks(
            image,
            result,
            self.dataset_meta,
            palette=self.palette,
            kpt_thr=kpt_thr,
            radius=radius,
            thickness=thickness)
