r"""Save the freshly initialised (untrained) model of a config as a checkpoint.

Used to measure the NE of an untrained model with tools/test.py (the "before
training" baseline) and to try tools/infer.py without trained weights::

    python tools/misc/save_init_checkpoint.py CONFIG work_dirs/init.pth \
        [--seed 1234] [--cfg-options k=v ...]
    python tools/test.py CONFIG work_dirs/init.pth

The paper configs initialise VGG-16 from an ImageNet file; without it, add
``--cfg-options model.backbone.init_cfg=None`` (random VGG-16).
"""
import argparse

from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope
from mmengine.runner import save_checkpoint, set_random_seed
from mmengine.utils import import_modules_from_strings


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('out', help='checkpoint path (.pth)')
    parser.add_argument(
        '--seed',
        type=int,
        default=None,
        help='random seed (default: the config\'s randomness.seed)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. model.backbone.init_cfg=None')
    args = parser.parse_args(argv)

    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if cfg.get('custom_imports'):
        import_modules_from_strings(**cfg.custom_imports)
    init_default_scope(cfg.get('default_scope', 'mmpose'))
    seed = args.seed if args.seed is not None else cfg.get('randomness',
                                                           {}).get('seed')
    if seed is not None:
        set_random_seed(seed)

    from mmpose.apis.inference import dataset_meta_from_config
    from mmpose.registry import MODELS
    model = MODELS.build(cfg.model)
    model.init_weights()
    meta = dict(
        dataset_meta=dataset_meta_from_config(cfg, dataset_mode='train'),
        seed=seed)
    save_checkpoint(dict(state_dict=model.state_dict(), meta=meta), args.out)
    print(f'saved the untrained {cfg.model.type} to {args.out}')


if __name__ == '__main__':
    main()
