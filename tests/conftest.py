"""Suite-wide test setup."""
import os.path as osp
import sys

import pytest
from mmengine.registry import DefaultScope

HERE = osp.dirname(osp.abspath(__file__))
# shared test helpers (random checkpoints, raw-tree writers) import by name
for helpers in ('test_apis', 'test_datasets', 'test_deployment', 'test_tools',
                'test_utils'):
    sys.path.insert(0, osp.join(HERE, helpers))


@pytest.fixture(scope='module', autouse=True)
def mmpose_default_scope():
    """Run every test module under mmengine's 'mmpose' default scope and
    restore the previous one afterwards: building mmdet models or runners
    switches the global scope to 'mmdet', which would break later modules that
    build mmpose modules unscoped."""
    with DefaultScope.overwrite_default_scope('mmpose'):
        yield


@pytest.fixture(scope='module')
def checkpoints(tmp_path_factory):
    """Random-weights checkpoints of the demo pose and detector configs
    (``save_random_checkpoints`` of tests/test_apis/random_checkpoints.py),
    one set per test module."""
    from random_checkpoints import save_random_checkpoints
    return save_random_checkpoints(tmp_path_factory.mktemp('ckpt'))
