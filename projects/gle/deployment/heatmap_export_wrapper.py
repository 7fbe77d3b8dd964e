"""The graph exported for a top-down heatmap model."""
from torch import Tensor, nn


class HeatmapExportWrapper(nn.Module):
    """``model(inputs, None, mode='tensor')`` as a module with one tensor
    argument, for ``torch.onnx.export``.

    Args:
        model (nn.Module): A ``TopdownPoseEstimator`` in eval mode.
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, inputs: Tensor) -> Tensor:
        """Heatmaps of a normalised batch.

        Args:
            inputs (Tensor): What ``PoseDataPreprocessor`` produces, shape
                (N, 3, h, w).

        Returns:
            Tensor: Heatmaps (N, K, H, W).
        """
        return self.model(inputs, None, mode='tensor')
