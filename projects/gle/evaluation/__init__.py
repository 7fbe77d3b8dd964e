"""Fashion-landmark evaluation (NormalizedError registered into mmpose's
METRICS on import)."""
from .dump_predictions import DumpFashionPredictions
from .functional import (keypoint_normalized_distances,
                         keypoint_normalized_error)
from .left_right import (COLLAPSE_RATIO, LR_OUTCOMES, left_right_outcomes,
                         left_right_rates)
from .normalized_error import NormalizedError

__all__ = [
    'NormalizedError', 'DumpFashionPredictions', 'keypoint_normalized_error',
    'keypoint_normalized_distances', 'left_right_outcomes', 'left_right_rates',
    'LR_OUTCOMES', 'COLLAPSE_RATIO'
]
