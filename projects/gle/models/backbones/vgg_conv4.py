"""mmpose VGG that also loads torchvision-layout checkpoints."""
import re
from typing import Dict, List, Sequence

from mmengine.logging import print_log
from mmpose.models.backbones import VGG
from mmpose.registry import MODELS
from mmpose.utils.typing import OptMultiConfig

# torchvision-layout parameter/buffer key: features.<index>.<leaf>
_TV_KEY = re.compile(r'^features\.(\d+)\.(weight|bias|running_mean|'
                     r'running_var|num_batches_tracked)$')


@MODELS.register_module()
class VGGConv4(VGG):
    """:class:`~mmpose.models.backbones.VGG` whose defaults are the GLE
    feature extractor, VGG-16 up to conv4_3 + ReLU (7,635,264 parameters;
    (N, 3, 224, 224) -> (N, 512, 28, 28)), and which accepts checkpoints in
    the torchvision layout as well as in the mmcls/mmpretrain one.

    torchvision numbers ``features`` per layer (conv, [bn], relu, pool:
    ``features.5.weight``) while mmpose wraps each conv in a ConvModule
    (``features.3.conv.weight``). A load-state-dict pre-hook renames
    torchvision keys, so a plain ``init_cfg=dict(type='Pretrained',
    checkpoint=...)`` (and ``load_checkpoint``) work with either file; for a
    full mmcls classifier checkpoint add ``prefix='backbone.'``. Entries for
    layers this truncated model does not have (later stages, the
    classifier) are dropped with one log line, so that the loader's
    missing/unexpected-key warning only shows real mismatches.

    Args:
        depth (int): 11, 13, 16 or 19. Defaults to 16.
        num_stages (int): Number of conv stages kept. Defaults to 4.
        dilations (Sequence[int]): Dilation per kept stage.
            Defaults to ``(1, 1, 1, 1)``.
        out_indices (Sequence[int]): Stages whose output is returned.
            Defaults to ``(3, )`` (conv4_3 + ReLU).
        with_last_pool (bool): Keep the pooling after the last stage.
            Defaults to False (stride 8).
        init_cfg (dict | list[dict], optional): Defaults to None (the
            Kaiming init of mmcv's ConvModule at construction).
        **kwargs: Other :class:`~mmpose.models.backbones.VGG` arguments
            (``norm_cfg``, ``frozen_stages``, ``norm_eval``, ...).
    """

    def __init__(self,
                 depth: int = 16,
                 num_stages: int = 4,
                 dilations: Sequence[int] = (1, 1, 1, 1),
                 out_indices: Sequence[int] = (3, ),
                 with_last_pool: bool = False,
                 init_cfg: OptMultiConfig = None,
                 **kwargs) -> None:
        super().__init__(
            depth=depth,
            num_stages=num_stages,
            dilations=dilations,
            out_indices=out_indices,
            with_last_pool=with_last_pool,
            init_cfg=init_cfg,
            **kwargs)
        self.depth = depth
        self.with_norm = kwargs.get('norm_cfg') is not None
        self._register_load_state_dict_pre_hook(self._adapt_state_dict)

    def torchvision_key_map(self) -> Dict[str, str]:
        """Map torchvision ``features`` sub-layer names to mmpose ones.

        Covers all five stages of the architecture (not only the kept ones)
        so that later-stage torchvision keys are recognised and dropped.

        Returns:
            dict: e.g. ``{'5': '3.conv', '6': '3.bn'}`` (the bn entries
            only with a norm layer).
        """
        key_map = {}
        tv_idx = mm_idx = 0
        for num_blocks in self.arch_settings[self.depth]:
            for _ in range(num_blocks):
                key_map[str(tv_idx)] = f'{mm_idx}.conv'
                tv_idx += 1
                if self.with_norm:
                    key_map[str(tv_idx)] = f'{mm_idx}.bn'
                    tv_idx += 1
                tv_idx += 1  # ReLU
                mm_idx += 1
            tv_idx += 1  # max-pool
            mm_idx += 1
        return key_map

    def _adapt_state_dict(self, state_dict: dict, prefix: str, *args) -> None:
        """Rename torchvision keys and drop entries of absent layers, in
        place (a ``_load_from_state_dict`` pre-hook)."""
        key_map = None
        num_layers = len(self.features)
        dropped: List[str] = []
        for key in [k for k in state_dict if k.startswith(prefix)]:
            name = key[len(prefix):]
            match = _TV_KEY.match(name)
            if match is not None:
                key_map = key_map or self.torchvision_key_map()
                if match.group(1) in key_map:
                    new_name = (f'features.{key_map[match.group(1)]}.'
                                f'{match.group(2)}')
                    state_dict[prefix + new_name] = state_dict.pop(key)
                    name = new_name
            index = re.match(r'^features\.(\d+)\.', name)
            beyond_kept = index is not None and int(
                index.group(1)) >= num_layers
            unused_classifier = (
                name.startswith('classifier.')
                and not hasattr(self, 'classifier'))
            if beyond_kept or unused_classifier:
                state_dict.pop(prefix + name)
                dropped.append(name)
        if dropped:
            print_log(
                f'{type(self).__name__}: ignored {len(dropped)} checkpoint '
                f'entries of layers this {len(self.stage_blocks)}-stage VGG '
                f'does not have: {", ".join(sorted(dropped))}',
                logger='current')
