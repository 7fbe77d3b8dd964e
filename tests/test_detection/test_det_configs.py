"""The clothing-detector configs: built (never downloading), and the demo one
trained for two iterations on the bundled demo data."""
import os.path as osp

import pytest
from mmengine.config import Config

import gle  # noqa: F401  (registration)

CONFIG_DIR = osp.join(osp.dirname(__file__), '..', '..', 'configs', 'det')
REAL = osp.join(CONFIG_DIR, 'rtmdet-tiny_8xb32-100e_deepfashion-c-det.py')
FLD = osp.join(CONFIG_DIR, 'rtmdet-tiny_8xb32-100e_fld-det.py')
DEMO = osp.join(CONFIG_DIR, 'rtmdet-tiny_1xb8-20e_fashion-demo-det.py')


@pytest.mark.parametrize('config,fmt,root', [
    (REAL, 'deepfashion-c', 'data/deepfashion-c/'),
    (FLD, 'fld', 'data/fld/'),
])
def test_real_configs(config, fmt, root):
    cfg = Config.fromfile(config)
    assert cfg.default_scope == 'mmdet'
    assert cfg.custom_imports.imports == ['gle']
    assert cfg.model.type == 'RTMDet'
    assert cfg.model.bbox_head.num_classes == 3
    # users get the ImageNet CSPNeXt weights (tests never build this one)
    assert cfg.model.backbone.init_cfg.checkpoint.startswith('https://')
    for split, loader in (('train', cfg.train_dataloader),
                          ('val', cfg.val_dataloader), ('test',
                                                        cfg.test_dataloader)):
        assert loader.dataset.type == 'FashionDetDataset'
        assert loader.dataset.split == split
        assert loader.dataset.data_root == root
        assert loader.dataset.fmt == fmt
    assert cfg.val_evaluator.type == 'CocoMetric'
    assert cfg.val_evaluator.ann_file is None
    assert 'instances' in cfg.test_dataloader.dataset.pipeline[-1].meta_keys
    switch = [h for h in cfg.custom_hooks if h.type == 'PipelineSwitchHook']
    assert switch[0].switch_epoch == cfg.train_cfg.max_epochs - 10


def test_demo_config_trains_two_iterations(tmp_path):
    from mmengine.runner import Runner

    cfg = Config.fromfile(DEMO)
    assert cfg.model.backbone.init_cfg is None
    data_root = osp.normpath(cfg.train_dataloader.dataset.data_root)
    assert data_root == osp.normpath(
        osp.join(CONFIG_DIR, '..', '..', 'demo', 'data', 'fashion_demo'))
    assert cfg.test_dataloader.dataset.split == 'test'

    cfg.work_dir = str(tmp_path)
    for loader, n in ((cfg.train_dataloader, 16), (cfg.val_dataloader, 4)):
        loader.num_workers = 0
        loader.persistent_workers = False
        loader.dataset.indices = n
    # 16 images / batch 8 = 2 iterations, then one validation (CocoMetric)
    cfg.train_cfg = dict(
        type='EpochBasedTrainLoop', max_epochs=1, val_interval=1)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1)
    cfg.visualizer.vis_backends = [dict(type='LocalVisBackend')]
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 2
    assert 'val/coco/bbox_mAP' in runner.message_hub.log_scalars
    assert osp.isfile(tmp_path / 'epoch_1.pth')
