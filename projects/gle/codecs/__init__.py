"""Registered modules (imported for registration by gle/__init__)."""
from .exp_distance_heatmap import ExpDistanceHeatmap
from .pair_aware_heatmap import PairAwareHeatmap

__all__ = ['ExpDistanceHeatmap', 'PairAwareHeatmap']
