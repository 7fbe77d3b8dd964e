"""SafeCheckpointLoadingHook: the allow-list is open for the run only, and
every config of the repository has the hook."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import HOOKS

import gle  # noqa: F401  (registration)
from gle.utils import checkpoint_safe_globals

REPO = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
CONFIGS = sorted(
    glob.glob(osp.join(REPO, 'configs', 'gle', '*.py')) +
    glob.glob(osp.join(REPO, 'configs', 'det', '*.py')))


def _open() -> bool:
    registered = torch.serialization.get_safe_globals()
    return all(g in registered for g in checkpoint_safe_globals())


def test_open_between_before_run_and_after_run():
    hook = HOOKS.build(dict(type='SafeCheckpointLoadingHook'))
    assert not _open()
    hook.before_run(None)
    assert _open()
    hook.before_run(None)  # a second run start does not nest
    hook.after_run(None)
    assert not _open()
    hook.after_run(None)  # idempotent
    assert not _open()


@pytest.mark.parametrize('config', CONFIGS, ids=osp.basename)
def test_every_config_loads_checkpoints_through_the_hook(config):
    hooks = Config.fromfile(config).default_hooks
    assert hooks.safe_loading.type == 'SafeCheckpointLoadingHook'
