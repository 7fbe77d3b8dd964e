"""The clothing detector exported to ONNX, run by onnxruntime."""
from typing import Dict, List

import numpy as np

from ..utils import check_image
from .base_onnx_model import BaseONNXModel
from .det_processing import postprocess_detections, preprocess_det_image


class ONNXDetector(BaseONNXModel):
    """RTMDet clothing detector exported by
    ``tools/deployment/pytorch2onnx.py --det``, run with onnxruntime.

    The graph maps the normalised (N, 3, h, w) batch to the decoded box and
    class scores of every prior (see
    :class:`~gle.deployment.DetectorExportWrapper`); resizing / padding /
    normalisation before it and thresholding, class-wise NMS and rescaling
    after it are numpy code (:mod:`gle.deployment.det_processing`) with the
    settings of the config's test pipeline and ``model.test_cfg``, read from
    the file's metadata. The result matches ``mmdet.apis.inference_detector``
    ``pred_instances``; calling the detector returns them as an
    ``InstanceData`` (with :attr:`dataset_meta`, the detector contract of
    ``gle.apis.FashionLandmarkInferencer``).

    Example::

        det = ONNXDetector('det.onnx', num_threads=1)
        result = det.predict(img)   # dict(bboxes, scores, labels)
        names = [det.classes[i] for i in result['labels']]

    Args:
        onnx_file (str): The exported detector.
        **kwargs: ``num_threads`` and ``providers`` of
            :class:`BaseONNXModel`.
    """

    TASK = 'detector'

    def __init__(self, onnx_file: str, **kwargs) -> None:
        super().__init__(onnx_file, **kwargs)
        meta = self.meta
        self.preprocess_cfg = dict(meta['preprocess'])
        self.postprocess_cfg = dict(meta['postprocess'])
        self.priors_per_level = tuple(meta['priors_per_level'])
        self.classes = tuple(meta['classes'])

    @property
    def dataset_meta(self) -> dict:
        """``classes`` (the label order) and, when the checkpoint had one,
        ``palette`` (RGB per class)."""
        meta = dict(classes=self.classes)
        if self.meta.get('palette'):
            meta['palette'] = [tuple(c) for c in self.meta['palette']]
        return meta

    def forward(self, inputs: np.ndarray):
        """Run the graph.

        Args:
            inputs (np.ndarray): Normalised batch (N, 3, h, w), float32.

        Returns:
            tuple: boxes (N, P, 4) in input pixels and class scores
            (N, P, C).
        """
        boxes, scores = self.run(self.check_inputs(inputs))
        return boxes, scores

    def predict_batch(self, imgs: List[np.ndarray],
                      **overrides) -> List[Dict[str, np.ndarray]]:
        """Detect in several images with one run of the graph.

        Args:
            imgs (list[np.ndarray]): BGR images (H, W, 3) (or grayscale).
            **overrides: Replace post-processing settings of the config's
                ``test_cfg``: ``score_thr``, ``nms_pre``, ``iou_threshold``,
                ``max_per_img``, ``min_bbox_size``.

        Returns:
            list[dict]: Per image ``bboxes`` (M, 4) ``x1, y1, x2, y2`` in
            image pixels (float32), ``scores`` (M, ) and ``labels`` (M, )
            (indices into :attr:`classes`), best first.
        """
        unknown = set(overrides) - set(self.postprocess_cfg)
        if unknown:
            raise KeyError(f'unknown post-processing settings {unknown}; '
                           f'valid: {sorted(self.postprocess_cfg)}')
        settings = dict(self.postprocess_cfg, **overrides)
        batch, factors = [], []
        for img in imgs:
            inputs, factor = preprocess_det_image(
                check_image(img), self.preprocess_cfg)
            batch.append(inputs)
            factors.append(factor)
        if not batch:
            return []
        boxes, scores = self.forward(np.stack(batch))
        return [
            postprocess_detections(b, s, self.priors_per_level, f, settings)
            for b, s, f in zip(boxes, scores, factors)
        ]

    def predict(self, img: np.ndarray, **overrides) -> Dict[str, np.ndarray]:
        """Detect clothing items in one image.

        Args:
            img (np.ndarray): BGR image (H, W, 3) (or grayscale).
            **overrides: See :meth:`predict_batch`.

        Returns:
            dict: ``bboxes`` (M, 4), ``scores`` (M, ), ``labels`` (M, ), as
            :meth:`predict_batch`.
        """
        return self.predict_batch([img], **overrides)[0]

    def __call__(self, image: np.ndarray):
        """Detect, in the form of ``mmdet.apis.inference_detector``'s
        ``pred_instances`` (the detector contract of
        ``gle.apis.FashionLandmarkInferencer``, which filters and runs its own
        NMS on the result).

        Args:
            image (np.ndarray): BGR image (H, W, 3).

        Returns:
            InstanceData: numpy ``bboxes`` (M, 4), ``scores`` (M, ),
            ``labels`` (M, ), as :meth:`predict`.
        """
        from mmengine.structures import InstanceData

        return InstanceData(**self.predict(image))
