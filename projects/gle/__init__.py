"""GLE: Global-Local Embedding fashion landmark detection, as an MMPose plugin.

Importing ``gle`` registers every module into the OpenMMLab registries
(mmpose's MODELS, DATASETS, TRANSFORMS, METRICS, KEYPOINT_CODECS; mmdet's
DATASETS for the clothing detector; mmengine's HOOKS and the ``atomic_local``
file backend of ``gle.engine``). Configs pull it in with ``custom_imports =
dict(imports=['gle'], allow_failed_imports=False)``.
"""
from .utils import register_checkpoint_safe_globals
from .version import __version__

register_checkpoint_safe_globals()

# registration (mmdet is a hard dependency: ``detection`` fills mmdet's
# DATASETS)
from . import codecs, datasets, detection, engine, evaluation, models  # noqa

__all__ = ['__version__']
