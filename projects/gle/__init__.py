"""GLE: Global-Local Embedding fashion landmark detection, as an MMPose plugin.

Importing ``gle`` registers every module into the OpenMMLab registries
(mmpose's MODELS, DATASETS, TRANSFORMS, METRICS, KEYPOINT_CODECS; mmdet's
DATASETS for the clothing detector; mmengine's HOOKS and the ``atomic_local``
file backend of ``gle.engine``). Configs pull it in with ``custom_imports =
dict(imports=['gle'], allow_failed_imports=False)``.
"""
# registration (mmdet is a hard dependency: ``detection`` fills mmdet's
# DATASETS)
from . import codecs, datasets, detection, engine, evaluation, models  # noqa
from .version import __version__

__all__ = ['__version__']
