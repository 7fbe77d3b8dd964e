"""numpy/cv2 preprocessing of an image + boxes into the normalised batch of
a top-down pose model, as the configs' test pipeline does."""
from typing import Optional, Sequence, Tuple

import cv2
import numpy as np
from mmpose.structures.bbox import (bbox_xyxy2cs, get_udp_warp_matrix,
                                    get_warp_matrix)

from ..utils import check_image

# transforms of a test pipeline that do not change the network input
_PASS_THROUGH = ('LoadImage', 'PackPoseInputs')
_AFFINES = {'TopdownStretchAffine': 'stretch', 'TopdownAffine': 'aspect'}


def _type_name(transform: dict) -> str:
    # 'mmpose.TopdownAffine' -> 'TopdownAffine'
    return str(transform.get('type', '')).split('.')[-1]


class TopdownPreprocessor:
    """Crop boxes of an image into the normalised (N, 3, H, W) input batch of
    a top-down pose model, with numpy and cv2 only.

    Reproduces the configs' test pipeline (``GetBBoxCenterScale`` ->
    ``TopdownStretchAffine`` or mmpose's ``TopdownAffine`` ->
    ``PackPoseInputs``) followed by ``PoseDataPreprocessor`` (BGR -> RGB,
    ``(x - mean) / std``), using mmpose's own warp-matrix helpers.

    Args:
        input_size (tuple[int, int]): Model input ``(w, h)``.
        padding (float): ``GetBBoxCenterScale`` box enlargement.
            Defaults to 1.0.
        affine (str): ``'stretch'`` (``TopdownStretchAffine``: the box fills
            the input) or ``'aspect'`` (``TopdownAffine``: the box is first
            enlarged to the input aspect ratio). Defaults to ``'stretch'``.
        use_udp (bool): Unbiased warp (the transform's ``use_udp``).
            Defaults to False.
        mean (Sequence[float], optional): Per-channel mean, in the order of
            the channels after ``bgr_to_rgb``. None: no normalisation.
        std (Sequence[float], optional): Per-channel std.
        bgr_to_rgb (bool): Reverse the channels of the BGR image.
            Defaults to True.
    """

    def __init__(self,
                 input_size: Tuple[int, int],
                 padding: float = 1.0,
                 affine: str = 'stretch',
                 use_udp: bool = False,
                 mean: Optional[Sequence[float]] = None,
                 std: Optional[Sequence[float]] = None,
                 bgr_to_rgb: bool = True) -> None:
        if affine not in ('stretch', 'aspect'):
            raise ValueError(
                f"affine must be 'stretch' or 'aspect', got {affine!r}")
        if (mean is None) != (std is None):
            raise ValueError('give both mean and std, or neither')
        self.input_size = (int(input_size[0]), int(input_size[1]))
        self.padding = float(padding)
        self.affine = affine
        self.use_udp = bool(use_udp)
        self.bgr_to_rgb = bool(bgr_to_rgb)
        self._norm = dict(
            mean=None if mean is None else [float(v) for v in mean],
            std=None if std is None else [float(v) for v in std])
        self.mean = None if mean is None else np.asarray(
            mean, dtype=np.float32).reshape(1, 3, 1, 1)
        self.std = None if std is None else np.asarray(
            std, dtype=np.float32).reshape(1, 3, 1, 1)

    @classmethod
    def from_config(cls, cfg) -> 'TopdownPreprocessor':
        """Read the settings from a pose config.

        Args:
            cfg (mmengine.Config): The config; its
                ``test_dataloader.dataset.pipeline`` (what
                ``mmpose.apis.inference_topdown`` runs) and
                ``model.data_preprocessor`` are read.

        Returns:
            TopdownPreprocessor: The preprocessor.
        """
        name = getattr(cfg, 'filename', None) or '<config>'
        try:
            pipeline = cfg.test_dataloader.dataset.pipeline
        except AttributeError as e:
            raise KeyError(f'{name}: no test_dataloader.dataset.pipeline '
                           '(the top-down test pipeline)') from e
        kwargs = {}
        for t in pipeline:
            kind = _type_name(t)
            if kind == 'GetBBoxCenterScale':
                kwargs['padding'] = t.get('padding', 1.25)
            elif kind in _AFFINES:
                kwargs['affine'] = _AFFINES[kind]
                kwargs['input_size'] = tuple(t['input_size'])
                kwargs['use_udp'] = t.get('use_udp', False)
            elif kind not in _PASS_THROUGH:
                raise ValueError(
                    f'{name}: the test pipeline has {kind}, which the '
                    'onnxruntime preprocessing does not reproduce '
                    '(supported: GetBBoxCenterScale, '
                    f'{", ".join(_AFFINES)}, {", ".join(_PASS_THROUGH)})')
        if 'padding' not in kwargs or 'input_size' not in kwargs:
            raise ValueError(f'{name}: the test pipeline needs '
                             'GetBBoxCenterScale and one of '
                             f'{", ".join(_AFFINES)}')
        dp = cfg.model.get('data_preprocessor') or {}
        if _type_name(dp) not in ('PoseDataPreprocessor', ''):
            raise ValueError(f'{name}: data_preprocessor {dp.get("type")} is '
                             'not PoseDataPreprocessor')
        if dp.get('pad_size_divisor', 1) != 1 or dp.get('rgb_to_bgr'):
            raise ValueError(f'{name}: only PoseDataPreprocessor with '
                             'pad_size_divisor=1 and bgr_to_rgb is supported')
        return cls(
            mean=dp.get('mean'),
            std=dp.get('std'),
            bgr_to_rgb=dp.get('bgr_to_rgb', False),
            **kwargs)

    def to_dict(self) -> dict:
        """The constructor arguments (what the ONNX metadata stores)."""
        return dict(
            input_size=self.input_size,
            padding=self.padding,
            affine=self.affine,
            use_udp=self.use_udp,
            bgr_to_rgb=self.bgr_to_rgb,
            **self._norm)

    @staticmethod
    def check_bboxes(bboxes, img_shape: Tuple[int, int]) -> np.ndarray:
        """Boxes as an (N, 4) float32 ``x1, y1, x2, y2`` array.

        Args:
            bboxes: (N, 4) or (N, >4) rows (extra columns, e.g. scores, are
                ignored), or None for one box covering the image.
            img_shape (tuple[int, int]): Image ``(h, w)``.

        Returns:
            np.ndarray: The boxes, shape (N, 4), float32 as in
            ``mmpose.apis.inference_topdown``.
        """
        if bboxes is None:
            h, w = img_shape
            return np.array([[0, 0, w, h]], dtype=np.float32)
        boxes = np.asarray(bboxes, dtype=np.float32)
        if boxes.ndim == 1 and boxes.size == 0:
            boxes = boxes.reshape(0, 4)
        if boxes.ndim != 2 or boxes.shape[1] < 4:
            raise ValueError('expected boxes as (N, 4) rows x1, y1, x2, y2, '
                             f'got shape {boxes.shape}')
        boxes = boxes[:, :4]
        for i, box in enumerate(boxes):
            if not np.all(np.isfinite(box)):
                raise ValueError(f'box {i} is not finite: {box.tolist()}')
            if box[2] <= box[0] or box[3] <= box[1]:
                raise ValueError(f'box {i} is empty (x2 <= x1 or y2 <= y1): '
                                 f'{box.tolist()}; drop it before the pose '
                                 'model')
        return boxes

    def __call__(
        self,
        img: np.ndarray,
        bboxes: Optional[np.ndarray] = None
    ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Crop and normalise the boxes of one image.

        Args:
            img (np.ndarray): BGR image (H, W, 3), or grayscale (H, W).
            bboxes (np.ndarray, optional): Boxes (N, 4) ``x1, y1, x2, y2``
                in image pixels. None: the whole image (as
                ``inference_topdown``).

        Returns:
            tuple:
            - inputs (np.ndarray): float32 batch (N, 3, h, w).
            - centers (np.ndarray): Crop centres (N, 2), image pixels.
            - scales (np.ndarray): Crop sizes (N, 2) ``(w, h)``, image
              pixels (after padding and aspect-ratio fixing).
        """
        img = check_image(img)
        boxes = self.check_bboxes(bboxes, img.shape[:2])
        w, h = self.input_size
        centers, scales = bbox_xyxy2cs(boxes, padding=self.padding)
        if self.affine == 'aspect':
            # TopdownAffine._fix_aspect_ratio
            bw, bh = np.hsplit(scales, [1])
            ratio = w / h
            scales = np.where(bw > bh * ratio, np.hstack([bw, bw / ratio]),
                              np.hstack([bh * ratio, bh]))
        crops = np.empty((len(boxes), h, w, 3), dtype=img.dtype)
        for i, (center, scale) in enumerate(zip(centers, scales)):
            if self.use_udp:
                mat = get_udp_warp_matrix(
                    center, scale, 0., output_size=(w, h))
            else:
                mat = get_warp_matrix(
                    center,
                    scale,
                    0.,
                    output_size=(w, h),
                    fix_aspect_ratio=self.affine == 'aspect')
            crops[i] = cv2.warpAffine(img, mat, (w, h), flags=cv2.INTER_LINEAR)
        # PackPoseInputs: HWC -> CHW; PoseDataPreprocessor: channel order,
        # float, normalisation
        inputs = crops.transpose(0, 3, 1, 2)
        if self.bgr_to_rgb:
            inputs = inputs[:, ::-1]
        inputs = inputs.astype(np.float32)
        if self.mean is not None:
            inputs = (inputs - self.mean) / self.std
        return np.ascontiguousarray(inputs), centers, scales

    def keypoints_to_image(self, keypoints: np.ndarray, centers: np.ndarray,
                           scales: np.ndarray) -> np.ndarray:
        """Map keypoints from the input frame back to the image, as
        ``TopdownPoseEstimator.add_pred_to_datasample`` does.

        Args:
            keypoints (np.ndarray): (N, K, 2) in input pixels.
            centers (np.ndarray): (N, 2) from :meth:`__call__`.
            scales (np.ndarray): (N, 2) from :meth:`__call__`.

        Returns:
            np.ndarray: (N, K, 2) in image pixels.
        """
        size = np.asarray(self.input_size)
        keypoints = keypoints / size * scales[:, None] + centers[:, None] \
            - 0.5 * scales[:, None]
        return keypoints.astype(np.float32)
