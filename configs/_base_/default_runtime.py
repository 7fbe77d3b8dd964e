# Runtime shared by the landmark configs (configs/gle, configs/baselines):
# MMPose's default runtime with the seed of the authors' recipe,
# NormalizedError as the metric and the best-NE checkpoint kept. Configs set
# their own logger / checkpoint intervals, and `custom_imports` (gle's
# modules) and `default_scope` themselves.
_base_ = ['mmpose::_base_/default_runtime.py']
# TensorBoard (configs/gle/README.md): one line in a config,
# visualizer = dict(vis_backends=[dict(type='LocalVisBackend'),
#                                 dict(type='TensorboardVisBackend')])
# or on the command line:
# --cfg-options visualizer.vis_backends.0.type=TensorboardVisBackend

randomness = dict(seed=1234)
# AtomicCheckpointHook (gle.engine): checkpoints and last_checkpoint are
# replaced atomically, so a run killed while saving still resumes
# (docs/cluster.md). SafeCheckpointLoadingHook: torch's weights-only loading
# of mmengine checkpoints during the run (docs/security.md).
default_hooks = dict(
    safe_loading=dict(type='SafeCheckpointLoadingHook'),
    input_size_check=dict(type='InputSizeCheckHook'),
    checkpoint=dict(type='AtomicCheckpointHook', save_best='NE', rule='less'))

val_evaluator = dict(type='NormalizedError')
test_evaluator = val_evaluator
