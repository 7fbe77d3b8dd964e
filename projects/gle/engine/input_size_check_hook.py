"""``InputSizeCheckHook``: refuse a run whose crop size, target encoder and
heatmap decoder disagree."""
from typing import Iterator, List, Tuple

from mmengine.hooks import Hook
from mmengine.registry import HOOKS

#: pipeline transforms that crop the box to ``input_size``
CROP_TRANSFORMS = ('TopdownAffine', 'TopdownStretchAffine')
_LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def _type_name(transform: dict) -> str:
    """``'mmpose.TopdownAffine'`` -> ``'TopdownAffine'``."""
    return str(transform.get('type', '')).split('.')[-1]


def _datasets(key: str, dataset) -> Iterator[Tuple[str, dict]]:
    """The dataset configs under ``key``, through mmengine's wrappers
    (``ConcatDataset``/``CombinedDataset`` ``datasets``, ``RepeatDataset``
    ``dataset``)."""
    if not isinstance(dataset, dict):
        return
    yield key, dataset
    if isinstance(dataset.get('dataset'), dict):
        yield from _datasets(f'{key}.dataset', dataset['dataset'])
    for i, child in enumerate(dataset.get('datasets') or []):
        yield from _datasets(f'{key}.datasets[{i}]', child)


def _size(value) -> Tuple[int, ...]:
    return tuple(int(v) for v in value)


def find_input_sizes(cfg) -> List[Tuple[str, Tuple[int, ...]]]:
    """Every ``input_size`` a top-down config sets, with its config key.

    Args:
        cfg (Config | dict): The runner's config.

    Returns:
        list[tuple[str, tuple]]: ``(key, (w, h))``: ``model.head.decoder``
        (or the codec it wraps) first, then the crop transforms and
        ``GenerateTarget`` encoders of the train / val / test pipelines.
    """
    sizes = []
    head = (cfg.get('model') or {}).get('head') or {}
    decoder = head.get('decoder') if isinstance(head, dict) else None
    key = 'model.head.decoder'
    # a wrapping codec (PairAwareHeatmap) holds the decoding one as `codec`
    while (isinstance(decoder, dict) and 'input_size' not in decoder
           and isinstance(decoder.get('codec'), dict)):
        decoder, key = decoder['codec'], f'{key}.codec'
    if isinstance(decoder, dict) and 'input_size' in decoder:
        sizes.append((f'{key}.input_size', _size(decoder['input_size'])))
    for loader in _LOADERS:
        dataset = (cfg.get(loader) or {}).get('dataset')
        for key, ds in _datasets(f'{loader}.dataset', dataset):
            for i, transform in enumerate(ds.get('pipeline') or []):
                if not isinstance(transform, dict):
                    continue
                name = _type_name(transform)
                where = f'{key}.pipeline[{i}] ({name})'
                if name in CROP_TRANSFORMS and 'input_size' in transform:
                    sizes.append((f'{where}.input_size',
                                  _size(transform['input_size'])))
                if name == 'GenerateTarget':
                    encoders = transform.get('encoder')
                    if isinstance(encoders, dict):
                        encoders = [encoders]
                    for j, encoder in enumerate(encoders or []):
                        if 'input_size' in encoder:
                            index = '' if len(encoders) == 1 else f'[{j}]'
                            sizes.append((f'{where}.encoder{index}.input_size',
                                          _size(encoder['input_size'])))
    return sizes


def check_input_sizes(cfg) -> None:
    """Raise if the sizes of :func:`find_input_sizes` disagree.

    The pipeline crops the box to ``input_size``; the target encoder maps
    landmarks from that crop to the heatmaps, the decoder maps predicted
    heatmaps back. A decoder or encoder of another size scales every
    prediction or target silently.

    Args:
        cfg (Config | dict): The runner's config.

    Raises:
        ValueError: Naming every key and its value.
    """
    sizes = find_input_sizes(cfg)
    if len({size for _, size in sizes}) <= 1:
        return
    ref_key, ref = sizes[0]
    others = '; '.join(f'{key}={size}' for key, size in sizes[1:]
                       if size != ref)
    agreeing = [key for key, size in sizes[1:] if size == ref]
    also = f' (agreeing: {", ".join(agreeing)})' if agreeing else ''
    raise ValueError(
        f'input sizes disagree: {ref_key}={ref} but {others}{also}. The '
        'pipeline crops the box to input_size and the codec maps between '
        'that crop and the heatmaps: another size there scales every target '
        'or prediction. Fix: give them one (w, h), e.g. through one codec '
        "dict (codec = dict(..., input_size=...)) used by the pipelines' "
        'crop and GenerateTarget and by model.head.decoder; when overriding '
        'with --cfg-options, override every key listed here')


@HOOKS.register_module()
class InputSizeCheckHook(Hook):
    """Refuse, at ``before_run``, a top-down config whose crop size
    (``TopdownAffine`` / ``TopdownStretchAffine`` ``input_size``), target
    encoder (``GenerateTarget``) and ``model.head.decoder`` disagree (see
    :func:`check_input_sizes`).

    ``--cfg-options codec.input_size=...`` for instance changes nothing
    that was already built from ``codec`` when the config was read; such a
    run would train or score with silently scaled targets or predictions.
    Every pose config of this repository lists the hook in
    ``default_hooks``, so MMPose's own tools run the check too. Configs
    without a decoder or crop (e.g. detection) pass.
    """

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        check_input_sizes(runner.cfg)
