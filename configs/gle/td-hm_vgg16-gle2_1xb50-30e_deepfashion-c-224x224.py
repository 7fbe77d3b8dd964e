# GLE on DeepFashion-C (Category and Attribute Prediction benchmark), k=2 GLE
# modules.
# Reproduces: Lee et al., "A Global-Local Embedding Module for Fashion Landmark
# Detection", ICCV-W 2019, Table 1 DeepFashion row (NE .0393), with the
# authors' recipe: GT box stretched to 224x224 (no aspect ratio kept, no
# padding), ImageNet-initialised VGG-16 to conv4_3, Adam 1e-4, batch 50, 30
# epochs, lr x0.1 every 5 epochs, seed 1234, horizontal flip WITH left/right
# swap (the authors' flip was broken), flip test without heatmap shift
# (stride-1 heatmaps). Target: mmpose's Gaussian at 224x224 (sigma 8), the
# authors' exp(-d/16) target is `ExpDistanceHeatmap` (see the base model
# config).
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/models/td-hm_vgg16-gle_fullres.py',
    '../_base_/datasets/deepfashion_c_topdown.py',
    '../_base_/datasets/gle_fashion_meta_keys.py',
]
custom_imports = dict(imports=['gle'], allow_failed_imports=False)
default_scope = 'mmpose'

# runtime
train_cfg = dict(by_epoch=True, max_epochs=30, val_interval=1)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-4, weight_decay=0.))
param_scheduler = [
    dict(
        type='StepLR', step_size=5, gamma=0.1, by_epoch=True, begin=0, end=30)
]
# --auto-scale-lr scales lr by (number of GPUs x batch per GPU) / 50
auto_scale_lr = dict(base_batch_size=50)
# the base's AtomicCheckpointHook keeps the best NE
default_hooks = dict(
    logger=dict(interval=100), checkpoint=dict(interval=1, max_keep_ckpts=3))

# ImageNet-pretrained VGG-16: torchvision's file (vgg16-397923af.pth) or the
# mmcls VGG-16 checkpoint (add prefix='backbone.'); put it under checkpoints/
# or point here.
model = dict(
    backbone=dict(
        init_cfg=dict(
            type='Pretrained', checkpoint='checkpoints/vgg16-397923af.pth')),
    neck=dict(num_modules=2))

# data: the DeepFashion-C loaders of the dataset base (data/deepfashion-c/,
# batch 50) with these pipelines.
# The codec (full-resolution Gaussian targets, stride 1) is the base model
# config's `codec`, also its head's decoder (wrapped in PairAwareHeatmap,
# pair_aware=False: docs/metrics.md); the PackPoseInputs meta keys are
# those of ../_base_/datasets/gle_fashion_meta_keys.py (with the clothes /
# variation type for the NE breakdowns).
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=1.0),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='TopdownStretchAffine', input_size={{_base_.codec.input_size}}),
    dict(type='GenerateTarget', encoder={{_base_.codec}}),
    dict(type='PackPoseInputs', meta_keys={{_base_.fashion_meta_keys}}),
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=1.0),
    dict(type='TopdownStretchAffine', input_size={{_base_.codec.input_size}}),
    dict(type='PackPoseInputs', meta_keys={{_base_.fashion_meta_keys}}),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader  # merged into the base's test loader
