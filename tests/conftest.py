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
