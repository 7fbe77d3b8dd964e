"""The graph exported for an RTMDet clothing detector."""
from typing import List, Tuple

import torch
from torch import Tensor, nn


class DetectorExportWrapper(nn.Module):
    """An RTMDet detector up to per-prior boxes and class scores, for
    ``torch.onnx.export``.

    The graph is the network and the box decoding of
    ``BaseDenseHead._predict_by_feat_single`` for every prior (point) of
    every level, before thresholding and NMS (data-dependent sizes, done in
    numpy by :class:`~gle.deployment.ONNXDetector`)::

        scores = sigmoid(cls_score)                          # (N, P, C)
        boxes = clip(point -/+ distance, input)              # (N, P, 4)

    with ``DistancePointBBoxCoder`` (``x1 = px - l``, ``y1 = py - t``,
    ``x2 = px + r``, ``y2 = py + b``) and the input ``(h, w)`` as the
    clipping shape, as mmdet does with the padded ``img_shape``. Priors are
    ordered level by level, row-major within a level.

    Args:
        detector (nn.Module): An mmdet single-stage detector whose
            ``bbox_head`` is an ``RTMDetHead`` (sigmoid classification,
            ``DistancePointBBoxCoder``, ``MlvlPointGenerator``).
        input_size (tuple[int, int]): Network input ``(w, h)``.
    """

    def __init__(self, detector: nn.Module, input_size: Tuple[int,
                                                              int]) -> None:
        super().__init__()
        from mmdet.models.dense_heads import RTMDetHead
        from mmdet.models.task_modules.coders import DistancePointBBoxCoder
        from mmdet.models.task_modules.prior_generators import \
            MlvlPointGenerator

        head = detector.bbox_head
        problems = []
        if not isinstance(head, RTMDetHead):
            problems.append(f'bbox_head is {type(head).__name__}, not an '
                            'RTMDetHead')
        elif not head.use_sigmoid_cls or getattr(head, 'with_objectness',
                                                 False):
            problems.append('the head needs sigmoid scores and no '
                            'objectness')
        if not isinstance(
                getattr(head, 'bbox_coder', None), DistancePointBBoxCoder):
            problems.append('the box coder is not DistancePointBBoxCoder')
        if not isinstance(
                getattr(head, 'prior_generator', None), MlvlPointGenerator):
            problems.append('the prior generator is not MlvlPointGenerator')
        if problems:
            raise ValueError('the detector export supports RTMDet heads: ' +
                             '; '.join(problems))
        self.detector = detector
        self.input_size = (int(input_size[0]), int(input_size[1]))

    def featmap_sizes(self, inputs: Tensor) -> List[Tuple[int, int]]:
        """(H, W) of each level's score map for ``inputs``."""
        cls_scores, _ = self.detector.bbox_head(
            self.detector.extract_feat(inputs))
        return [tuple(c.shape[-2:]) for c in cls_scores]

    def forward(self, inputs: Tensor) -> Tuple[Tensor, Tensor]:
        """Boxes and class scores of every prior.

        Args:
            inputs (Tensor): What ``DetDataPreprocessor`` produces, shape
                (N, 3, h, w).

        Returns:
            tuple:
            - boxes (Tensor): (N, P, 4) ``x1, y1, x2, y2`` in input pixels.
            - scores (Tensor): (N, P, C) sigmoid class scores.
        """
        head = self.detector.bbox_head
        cls_scores, bbox_preds = head(self.detector.extract_feat(inputs))
        n = inputs.shape[0]
        num_classes = head.cls_out_channels
        priors = head.prior_generator.grid_priors(
            [c.shape[-2:] for c in cls_scores],
            dtype=inputs.dtype,
            device=inputs.device)
        scores = torch.cat([
            c.permute(0, 2, 3, 1).reshape(n, -1, num_classes)
            for c in cls_scores
        ], 1).sigmoid()
        dist = torch.cat(
            [b.permute(0, 2, 3, 1).reshape(n, -1, 4) for b in bbox_preds], 1)
        points = torch.cat([p[:, :2] for p in priors])[None]
        w, h = self.input_size
        x1 = (points[..., 0] - dist[..., 0]).clamp(0, w)
        y1 = (points[..., 1] - dist[..., 1]).clamp(0, h)
        x2 = (points[..., 0] + dist[..., 2]).clamp(0, w)
        y2 = (points[..., 1] + dist[..., 3]).clamp(0, h)
        return torch.stack([x1, y1, x2, y2], -1), scores
