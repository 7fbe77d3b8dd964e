"""Clothing detection side (registered into mmdet's registries on import):
the detector that gives the top-down landmark model its boxes and clothes
types."""
from .fashion_det_dataset import FashionDetDataset

__all__ = ['FashionDetDataset']
