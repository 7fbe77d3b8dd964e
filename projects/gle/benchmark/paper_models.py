"""The plugin side of the benchmark: the paper configs and their models,
built as the runner builds them (mmengine ``Config`` + mmpose ``MODELS``)."""
import copy
import os.path as osp
from typing import Optional, Tuple

from mmengine.config import Config
from torch import nn

#: Repository root (the plugin is installed editable from its checkout, as
#: for the metainfo file of ``gle.datasets``).
REPO_ROOT = osp.normpath(
    osp.join(osp.dirname(osp.abspath(__file__)), '..', '..', '..'))
#: The paper config of each number of GLE modules, relative to REPO_ROOT.
PAPER_CONFIGS = {
    2: 'configs/gle/td-hm_vgg16-gle2_1xb50-30e_deepfashion-c-224x224.py',
    3: 'configs/gle/td-hm_vgg16-gle3_1xb50-30e_fld-224x224.py',
}


def _register() -> None:
    from mmpose.utils import register_all_modules

    import gle  # noqa: F401  (registration)
    register_all_modules(init_default_scope=True)


def load_config(k: int, config: Optional[str] = None) -> Tuple[Config, str]:
    """The paper config for ``k`` GLE modules.

    Args:
        k (int): Number of GLE modules, a key of :data:`PAPER_CONFIGS`
            unless ``config`` is given.
        config (str, optional): Another config file to use.

    Returns:
        tuple: ``(Config, path)``.

    Raises:
        ValueError: The config's ``model.neck.num_modules`` is not ``k``.
    """
    _register()
    path = config or osp.join(REPO_ROOT, PAPER_CONFIGS[k])
    cfg = Config.fromfile(path)
    if cfg.model.neck.num_modules != k:
        raise ValueError(
            f'{path} has neck.num_modules={cfg.model.neck.num_modules}, '
            f'expected {k}')
    return cfg, path


def build_plugin_model(cfg: Config) -> nn.Module:
    """Build ``cfg.model`` through mmpose's registry (no weight loading: the
    benchmark uses the construction-time initialisation)."""
    _register()
    from mmpose.registry import MODELS
    return MODELS.build(copy.deepcopy(cfg.model))


def activate_non_local(model: nn.Module) -> nn.Module:
    """Set the non-local output BN weights to 1 (they start at 0, which makes
    each block an identity and output comparisons blind to the attention).

    Works on the plugin and on :class:`PlainGLENet`, whose non-local blocks
    both name their output ``conv_out`` with a ``bn`` child."""
    for m in model.modules():
        if type(m).__name__ in ('SDPANonLocal2d', 'PlainNonLocal'):
            nn.init.ones_(m.conv_out.bn.weight)
    return model
