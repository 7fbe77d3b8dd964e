"""Registered modules (imported for registration by gle/__init__)."""
from .exp_distance_heatmap import ExpDistanceHeatmap

__all__ = ['ExpDistanceHeatmap']
