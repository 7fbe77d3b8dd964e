"""GLE: Global-Local Embedding fashion landmark detection, as an MMPose plugin.

Importing ``gle`` registers every module into the OpenMMLab registries (mmpose's MODELS,
DATASETS, TRANSFORMS, METRICS, KEYPOINT_CODECS; mmdet's DATASETS for the clothing
detector; mmengine's HOOKS and the ``atomic_local`` file backend of ``gle.engine``).
Configs pull it in with
``custom_imports = dict(imports=['gle'], allow_failed_imports=False)``.
"""
from .version import __version__
from .utils import register_checkpoint_safe_globals

register_checkpoint_safe_globals()

# registration (mmdet is a hard dependency: ``detection`` fills mmdet's DATASETS)
from . import (codecs, datasets, detection, engine,  # noqa: E402,F401
               evaluation, models)

__all__ = ['__version__']
