"""Fashion-landmark evaluation (NormalizedError registered into mmpose's
METRICS on import)."""
from .functional import (keypoint_normalized_distances,
                         keypoint_normalized_error)
from .normalized_error import NormalizedError

__all__ = [
    'NormalizedError', 'keypoint_normalized_error',
    'keypoint_normalized_distances'
]
