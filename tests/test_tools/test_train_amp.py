"""tools/train.py --amp turns the paper configs' optimizer into
AmpOptimWrapper."""
import os.path as osp

from mmengine.config import Config
from script_utils import REPO, config_file, load_script

PAPER = config_file('gle',
                    'td-hm_vgg16-gle2_1xb50-30e_deepfashion-c-224x224.py')
FAST = config_file(
    'gle', 'td-hm_vgg16-gle2_amp-nhwc_1xb50-30e_deepfashion-c-224x224.py')


def _train_module():
    return load_script(osp.join(REPO, 'tools', 'train.py'), 'gle_train')


def _merged(config, *argv):
    train = _train_module()
    return train.merge_args(
        Config.fromfile(config), train.parse_args([config, *argv]))


def test_amp_flag_with_bf16():
    cfg = _merged(PAPER, '--amp', '--cfg-options',
                  'optim_wrapper.dtype=bfloat16')
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 'dynamic'
    assert cfg.optim_wrapper.dtype == 'bfloat16'
    assert cfg.optim_wrapper.optimizer == dict(
        type='Adam', lr=1e-4, weight_decay=0.)


def test_amp_flag_keeps_the_fast_config():
    cfg = _merged(FAST, '--amp')
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == dict(
        enabled=False)  # not reset to dynamic
    assert cfg.optim_wrapper.dtype == 'bfloat16'
