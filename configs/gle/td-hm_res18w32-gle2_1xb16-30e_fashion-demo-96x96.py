# Demo: the GLE pipeline end to end on the bundled synthetic data
# (demo/data/fashion_demo, DeepFashion-C raw format, read by the real
# DeepFashionCDataset loader), sized to train and test on 2 CPU cores in a few
# minutes. Same registered modules as the paper configs (GLENeck,
# FullResHeatmapHead, TopdownStretchAffine, NormalizedError) with a narrower,
# randomly initialised backbone (ResNet-18 stem + 2 stages at half width,
# stride 8) and 96x96 input instead of ImageNet VGG-16 at 224x224, the authors'
# exp(-d/tau) target and a 20% box margin (see below). Not a benchmark result.
# python tools/train.py
# configs/gle/td-hm_res18w32-gle2_1xb16-30e_fashion-demo-96x96.py
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/datasets/fashion_demo_topdown.py',
    '../_base_/datasets/gle_fashion_meta_keys.py',
]
custom_imports = dict(imports=['gle'], allow_failed_imports=False)
default_scope = 'mmpose'

# runtime
train_cfg = dict(by_epoch=True, max_epochs=30, val_interval=5)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3, weight_decay=0.))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=50, start_factor=0.01, by_epoch=False),
    dict(
        type='MultiStepLR',
        milestones=[20, 26],
        gamma=0.1,
        by_epoch=True,
        begin=0,
        end=30),
]
auto_scale_lr = dict(base_batch_size=16)
# the base's AtomicCheckpointHook keeps the best NE
default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=5, max_keep_ckpts=2))

# the authors' target, exp(-d / tau) (ExpDistanceHeatmap), with tau scaled from
# 16 px at 224 to 96 px input; its long tails give every landmark a gradient
# from the first iteration (with a narrow Gaussian this small model learned the
# corner landmarks late)
codec = dict(
    type='ExpDistanceHeatmap',
    input_size=(96, 96),
    heatmap_size=(96, 96),
    tau=7.0)
model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='ResNet',
        depth=18,
        stem_channels=32,
        base_channels=32,
        num_stages=2,
        strides=(1, 2),
        dilations=(1, 1),
        out_indices=(1, ),
        init_cfg=None),
    neck=dict(
        type='GLENeck',
        in_channels=64,
        inter_channels=32,
        num_modules=2,  # 0 = the no-GLE baseline
        attention_impl='sdpa'),
    head=dict(
        type='FullResHeatmapHead',
        in_channels=64,
        out_channels=8,
        stem_channels=(32, 32, 32, 64),
        deconv_out_channels=(32, 16, 16),
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        # pair-aware decoding (docs/metrics.md): never both landmarks of a
        # left/right pair on one heatmap peak; off with --cfg-options
        # model.head.decoder.pair_aware=False
        decoder=dict(type='PairAwareHeatmap', codec=codec, pair_aware=True)),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=False))

# data: the demo loaders of the dataset base (batch 16) with these pipelines.
# The box is enlarged by 20% (still stretched to a square input). With the
# paper's tight crop (padding=1.0) landmarks on the garment's bottom/right
# boundary (hems) sit on or past the crop edge and this small from-scratch
# model learned them poorly in 30 epochs: val NE .1015 (hems .31/.37) vs .0439
# with padding=1.2, same seed and schedule.
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=1.2),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='TopdownStretchAffine', input_size=codec['input_size']),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs', meta_keys={{_base_.fashion_meta_keys}}),
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=1.2),
    dict(type='TopdownStretchAffine', input_size=codec['input_size']),
    dict(type='PackPoseInputs', meta_keys={{_base_.fashion_meta_keys}}),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader  # merged into the base's test loader
