"""SDPANonLocal2d hands scaled_dot_product_attention 4-D (N, heads, L, C')
tensors with a unit-stride last axis: the fused kernels accept nothing else
and sdpa silently falls back to its unfused math path (the explicit HW x HW
matrix) otherwise."""
import pytest
import torch
import torch.nn.functional as F

import gle  # noqa: F401  (registration)
from gle.models import SDPANonLocal2d


@pytest.mark.parametrize('sub_sample', [False, True])
@pytest.mark.parametrize('channels_last', [False, True])
def test_sdpa_gets_fusable_inputs_and_matches_explicit(monkeypatch, sub_sample,
                                                       channels_last):
    torch.manual_seed(0)
    block = SDPANonLocal2d(
        32,
        reduction=2,
        sub_sample=sub_sample,
        norm_cfg=dict(type='BN'),
        zeros_init=False).eval()
    x = torch.randn(2, 32, 6, 10)
    if channels_last:
        block = block.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    with torch.no_grad():
        block.attention_impl = 'explicit'
        ref = block(x)
        block.attention_impl = 'sdpa'
        seen = []
        sdpa = F.scaled_dot_product_attention

        def spy(q, k, v, **kwargs):
            seen.append((tuple(q.shape), tuple(k.shape), tuple(v.shape)))
            assert q.stride(-1) == k.stride(-1) == v.stride(-1) == 1
            return sdpa(q, k, v, **kwargs)

        monkeypatch.setattr(F, 'scaled_dot_product_attention', spy)
        out = block(x)
    keys = 60 // 4 if sub_sample else 60  # 2x2 max-pooled phi and g
    assert seen == [((2, 1, 60, 16), (2, 1, keys, 16), (2, 1, keys, 16))]
    assert out.shape == x.shape
    torch.testing.assert_close(out, ref, rtol=1e-4, atol=1e-5)
