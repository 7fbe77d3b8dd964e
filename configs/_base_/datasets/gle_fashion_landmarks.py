# Unified 8-landmark layout shared by DeepFashion-C and FLD (GLE, Lee et al.
# 2019), as mmpose's `dataset_info` for configs and tools that take
# `metainfo=dict(from_file='configs/_base_/datasets/gle_fashion_landmarks.py')`.
# The one definition is the package's gle.datasets.FASHION_METAINFO
# (projects/gle/datasets/fashion_metainfo.py, the datasets' default metainfo,
# with the layout, colours and sigmas explained); this file reads that module
# as a base config, so the two cannot disagree.
_base_ = ['../../../projects/gle/datasets/fashion_metainfo.py']

dataset_info = {{_base_.FASHION_METAINFO}}
