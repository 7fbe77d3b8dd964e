"""Suite-wide test setup."""
import pytest
from mmengine.registry import DefaultScope


@pytest.fixture(scope='module', autouse=True)
def mmpose_default_scope():
    """Run every test module under mmengine's 'mmpose' default scope and restore the
    previous one afterwards: building mmdet models or runners switches the global scope
    to 'mmdet', which would break later modules that build mmpose modules unscoped."""
    with DefaultScope.overwrite_default_scope('mmpose'):
        yield
