# GLE network (Lee et al., ICCV-W 2019): VGG-16 to conv4_3 -> k GLE modules ->
# full-resolution upsampling head; 224x224 crop -> 8 heatmaps of 224x224.
# Paper configs inherit this file and override e.g. `model.neck.num_modules`
# (k=2 DeepFashion, k=3 FLD) and `model.backbone.init_cfg` (ImageNet weights).
custom_imports = dict(imports=['gle'], allow_failed_imports=False)

# Heatmaps at stride 1 (heatmap_size == input_size). sigma=8 input pixels is
# mmpose's usual target (sigma=2 heatmap px at stride 4, also its FLD models)
# and close in width to the authors' exp(-d/16) target (FWHM 18.8 vs 22.2 px).
# MSRAHeatmap rounds the centre to the nearest pixel: <= 0.5 px at stride 1.
codec = dict(
    type='MSRAHeatmap',
    input_size=(224, 224),
    heatmap_size=(224, 224),
    sigma=8)
# The authors' target instead (exp(-d / tau), zero channel if out of crop):
# codec = dict(
#     type='ExpDistanceHeatmap',
#     input_size=(224, 224),
#     heatmap_size=(224, 224),
#     tau=16.0)

model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    # VGG-16 up to conv4_3 + ReLU: 512 x 28 x 28. Random init here; for
    # ImageNet weights set e.g. init_cfg=dict(type='Pretrained',
    # checkpoint='.../vgg16-397923af.pth') (torchvision layout) or the mmcls
    # VGG-16 checkpoint with prefix='backbone.'; VGGConv4 maps both.
    backbone=dict(
        type='VGGConv4',
        depth=16,
        num_stages=4,
        dilations=(1, 1, 1, 1),
        out_indices=(3, ),
        with_last_pool=False),  # no init_cfg here: random (Kaiming) init
    neck=dict(
        type='GLENeck',
        in_channels=512,
        inter_channels=256,
        num_modules=2,  # 0 = the no-GLE baseline
        norm_cfg=dict(type='BN'),
        use_scale=False,
        zero_init_nonlocal_out=True,
        attention_impl='sdpa'),
    head=dict(
        type='FullResHeatmapHead',
        in_channels=512,
        out_channels=8,
        stem_channels=(64, 64, 64, 128),
        stem_kernel_sizes=(1, 3, 3, 3),
        deconv_out_channels=(64, 32, 16),
        convs_per_stage=(2, 2, 1),
        norm_cfg=None,
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        # pair-aware decoding (docs/metrics.md), off here; switch it on with
        # --cfg-options model.head.decoder.pair_aware=True
        decoder=dict(type='PairAwareHeatmap', codec=codec, pair_aware=False)),
    test_cfg=dict(
        flip_test=True,
        flip_mode='heatmap',
        shift_heatmap=False,  # stride 1: a flip maps x to W-1-x exactly
    ))
