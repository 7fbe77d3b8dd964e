from .full_res_heatmap_head import FullResHeatmapHead

__all__ = ['FullResHeatmapHead']
