# The DeepFashion-C paper config (k=2), trained faster on tensor-core GPUs:
# - bf16 autocast (AmpOptimWrapper). bf16 has fp32's exponent range, so no loss
#   scaling is needed (the GradScaler is disabled) and the unnormalised decoder
#   cannot overflow;
# - channels_last (NHWC) memory format for every conv (ChannelsLastHook);
# - cuDNN autotuning, which pays off with the fixed 224x224 input. Same model,
#   data and schedule: checkpoints load into the fp32 config and back.
#   Speed-ups and output agreement: docs/benchmark.md
#   (tools/analysis/benchmark_gpu.sh). Without this file, AMP alone:
#   tools/train.py <paper config> --amp --cfg-options
#   optim_wrapper.dtype=bfloat16 env_cfg.cudnn_benchmark=True
_base_ = ['./td-hm_vgg16-gle2_1xb50-30e_deepfashion-c-224x224.py']

optim_wrapper = dict(
    type='AmpOptimWrapper', dtype='bfloat16', loss_scale=dict(enabled=False))
# keep mmpose's default SyncBuffersHook: a list replaces the inherited one
custom_hooks = [dict(type='SyncBuffersHook'), dict(type='ChannelsLastHook')]
env_cfg = dict(cudnn_benchmark=True)
