# Clothing detector for the top-down GLE pipeline: RTMDet-tiny (mmdet's config,
# ImageNet CSPNeXt-tiny backbone) trained on DeepFashion-C to find clothing
# items and their clothes
# type: class 0 upper, 1 lower, 2 full. Read straight from the raw tree
# (Anno/list_bbox.txt, the clothes_type column of Anno/list_landmarks.txt,
# Eval/list_eval_partition.txt) by gle's FashionDetDataset: no conversion. One
# item per image. Input 320x320 instead of RTMDet's 640: DeepFashion-C images
# have a 300 px longer side. mim train mmdet
# configs/det/rtmdet-tiny_8xb32-100e_deepfashion-c-det.py bash $(python -c
# 'import
# mmdet,os;print(os.path.dirname(mmdet.__file__))')/.mim/tools/dist_train.sh \
# configs/det/rtmdet-tiny_8xb32-100e_deepfashion-c-det.py 8
_base_ = 'mmdet::rtmdet/rtmdet_tiny_8xb32-300e_coco.py'
custom_imports = dict(imports=['gle'], allow_failed_imports=False)
default_scope = 'mmdet'

img_scale = (320, 320)
max_epochs = 100
stage2_num_epochs = 10
base_lr = 0.004
interval = 10

# the base keeps the ImageNet-pretrained CSPNeXt-tiny init_cfg (downloaded on
# first use)
model = dict(bbox_head=dict(num_classes=3))

# data
dataset_type = 'FashionDetDataset'
data_fmt = 'deepfashion-c'  # 'fld' for the FLD benchmark
data_root = 'data/deepfashion-c/'
backend_args = None

train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='CachedMosaic',
        img_scale=img_scale,
        pad_val=114.0,
        max_cached_images=20,
        random_pop=False),
    dict(
        type='RandomResize',
        scale=(img_scale[0] * 2, img_scale[1] * 2),
        ratio_range=(0.5, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=img_scale),
    dict(type='YOLOXHSVRandomAug'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='Pad', size=img_scale, pad_val=dict(img=(114, 114, 114))),
    dict(
        type='CachedMixUp',
        img_scale=img_scale,
        ratio_range=(1.0, 1.0),
        max_cached_images=10,
        random_pop=False,
        pad_val=(114, 114, 114),
        prob=0.5),
    dict(type='PackDetInputs')
]
train_pipeline_stage2 = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='RandomResize',
        scale=img_scale,
        ratio_range=(0.5, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=img_scale),
    dict(type='YOLOXHSVRandomAug'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='Pad', size=img_scale, pad_val=dict(img=(114, 114, 114))),
    dict(type='PackDetInputs')
]
# 'instances' (the ground truth in image coordinates) lets CocoMetric evaluate
# without a COCO json; PackDetInputs skips keys an input lacks, so inference is
# unaffected.
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='Pad', size=img_scale, pad_val=dict(img=(114, 114, 114))),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor', 'instances'))
]

train_dataloader = dict(
    batch_size=32,
    num_workers=10,
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root=data_root,
        fmt=data_fmt,
        split='train',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=5,
    num_workers=10,
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root=data_root,
        fmt=data_fmt,
        split='val',
        test_mode=True,
        pipeline=test_pipeline))
# the val loader on the test split (Eval/list_eval_partition.txt)
test_dataloader = dict(
    val_dataloader, dataset=dict(val_dataloader['dataset'], split='test'))
# COCO box AP computed from the packed ground truth (ann_file=None)
val_evaluator = dict(
    type='CocoMetric',
    ann_file=None,
    metric='bbox',
    proposal_nums=(100, 1, 10))
test_evaluator = val_evaluator

# schedule: RTMDet's, shortened to 100 epochs (one item per image, 209k images)
train_cfg = dict(
    max_epochs=max_epochs,
    val_interval=interval,
    dynamic_intervals=[(max_epochs - stage2_num_epochs, 1)])
optim_wrapper = dict(optimizer=dict(lr=base_lr))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1.0e-5,
        by_epoch=False,
        begin=0,
        end=1000),
    dict(
        type='CosineAnnealingLR',
        eta_min=base_lr * 0.05,
        begin=max_epochs // 2,
        end=max_epochs,
        T_max=max_epochs // 2,
        by_epoch=True,
        convert_to_iter_based=True),
]
# SafeCheckpointLoadingHook (gle.engine): torch's weights-only loading of
# mmengine checkpoints during the run (docs/security.md)
default_hooks = dict(
    safe_loading=dict(type='SafeCheckpointLoadingHook'),
    checkpoint=dict(interval=interval, max_keep_ckpts=3, save_best='auto'))
custom_hooks = [
    dict(
        type='EMAHook',
        ema_type='ExpMomentumEMA',
        momentum=0.0002,
        update_buffers=True,
        priority=49),
    dict(
        type='PipelineSwitchHook',
        switch_epoch=max_epochs - stage2_num_epochs,
        switch_pipeline=train_pipeline_stage2)
]
auto_scale_lr = dict(enable=False, base_batch_size=8 * 32)
