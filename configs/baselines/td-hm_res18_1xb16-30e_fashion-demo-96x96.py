# MMPose's stock top-down heatmap baseline (SimpleBaseline: ResNet +
# HeatmapHead deconvolutions, MSRAHeatmap Gaussian targets at stride 4), as in
# mmpose's fashion_2d_keypoint/topdown_heatmap/deepfashion configs, sized for
# CPU like the GLE demo: ResNet-18 from random init (no download), 96x96
# input, 24x24 heatmaps, batch 16, 30 epochs, on the bundled synthetic demo
# data (demo/data/fashion_demo, DeepFashion-C raw format, read by the real
# DeepFashionCDataset loader) and scored with the same NormalizedError.
# MMPose's recipe otherwise: GetBBoxCenterScale (padding 1.25), RandomFlip,
# RandomBBoxTransform, TopdownAffine (keeps the aspect ratio), Adam 5e-4, lr
# x0.1 at 80% and 93% of the schedule, flip test with the stride-4 heatmap
# shift. The baseline row of tools/analysis/ablation.py; compare with
# configs/gle/td-hm_res18w32-gle2_1xb16-30e_fashion-demo-96x96.py.
# python tools/train.py
# configs/baselines/td-hm_res18_1xb16-30e_fashion-demo-96x96.py
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/datasets/fashion_demo_topdown.py',
    '../_base_/datasets/gle_fashion_meta_keys.py',
]
custom_imports = dict(imports=['gle'], allow_failed_imports=False)
default_scope = 'mmpose'

# runtime
train_cfg = dict(by_epoch=True, max_epochs=30, val_interval=5)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=5e-4))
# mmpose: 500 warm-up iterations of ~34k and milestones [170, 200] of 210
# epochs; here the same shape on a 30-epoch schedule
param_scheduler = [
    dict(type='LinearLR', begin=0, end=50, start_factor=0.001, by_epoch=False),
    dict(
        type='MultiStepLR',
        milestones=[24, 28],
        gamma=0.1,
        by_epoch=True,
        begin=0,
        end=30),
]
auto_scale_lr = dict(base_batch_size=16)
# the base's AtomicCheckpointHook keeps the best NE
default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=5, max_keep_ckpts=2))

# codec settings: mmpose's MSRAHeatmap, heatmap at 1/4 of the input
codec = dict(
    type='MSRAHeatmap', input_size=(96, 96), heatmap_size=(24, 24), sigma=2)
model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(type='ResNet', depth=18, init_cfg=None),
    head=dict(
        type='HeatmapHead',
        in_channels=512,
        out_channels=8,
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        # MMPose's decoding (pair_aware=False decodes exactly as the wrapped
        # codec); the switch is there so that the ablation's pair-aware
        # variant (model.head.decoder.pair_aware=True) applies to every row
        decoder=dict(type='PairAwareHeatmap', codec=codec, pair_aware=False)),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True))

# data: the demo loaders of the dataset base (batch 16) with these pipelines
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomBBoxTransform'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs', meta_keys={{_base_.fashion_meta_keys}}),
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='PackPoseInputs', meta_keys={{_base_.fashion_meta_keys}}),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader  # merged into the base's test loader
