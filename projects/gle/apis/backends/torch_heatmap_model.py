"""The PyTorch forward of a top-down heatmap model."""
from typing import Optional

import torch
import torch.nn as nn
from mmpose.models.heads import HeatmapHead


class TorchHeatmapModel:
    """Normalised crops -> heatmaps with the PyTorch pose model.

    The pose backend of ``FashionLandmarkInferencer``: everything around it
    (crops, normalisation, flip test, decoding by the config's codec,
    coordinates back to the image) is shared by every backend.

    Args:
        model (nn.Module): A ``TopdownPoseEstimator`` whose head is an
            mmpose ``HeatmapHead`` (the GLE configs' ``FullResHeatmapHead``)
            that keeps ``HeatmapHead.predict``.
        config (str, optional): Its config file, used in messages.

    Raises:
        ValueError: The head is not a heatmap head, or predicts its own way.
    """

    def __init__(self, model: nn.Module, config: Optional[str] = None) -> None:
        head = getattr(model, 'head', None)
        if not isinstance(head, HeatmapHead) or \
                type(head).predict is not HeatmapHead.predict:
            raise ValueError(
                f'the pose model of {config or "the config"} has head '
                f'{type(head).__name__}: the fashion-landmark inferencer '
                'runs heatmap heads (mmpose HeatmapHead and subclasses that '
                'keep its predict(), e.g. FullResHeatmapHead)')
        self.model = model

    @torch.no_grad()
    def __call__(self, inputs: torch.Tensor) -> torch.Tensor:
        """Run backbone, neck and head.

        Args:
            inputs (Tensor): Crops normalised by the config's
                ``data_preprocessor``, float, shape (N, 3, H, W), on the
                model's device.

        Returns:
            Tensor: Heatmaps, shape (N, K, h, w) (h, w: the codec's
            ``heatmap_size``).
        """
        return self.model.head.forward(self.model.extract_feat(inputs))
