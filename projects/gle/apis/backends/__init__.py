"""Replaceable parts of ``FashionLandmarkInferencer``: the pose model's
forward (normalised crops -> heatmaps) and the clothing detector (image ->
raw detections). These are the PyTorch ones; another runtime plugs in by
providing the same two callables (docs/inference.md, "Backends")."""
from .torch_clothing_detector import TorchClothingDetector
from .torch_heatmap_model import TorchHeatmapModel

__all__ = ['TorchHeatmapModel', 'TorchClothingDetector']
