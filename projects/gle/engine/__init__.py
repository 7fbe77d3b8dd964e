"""Training-engine pieces: crash-safe checkpoint writing, weights-only
checkpoint loading, channels_last training, input-size consistency."""
from .atomic_checkpoint_hook import AtomicCheckpointHook
from .atomic_io import (AtomicLocalBackend, atomic_write_bytes,
                        remove_stale_tmp_files)
from .channels_last_hook import ChannelsLastHook
from .input_size_check_hook import InputSizeCheckHook
from .safe_checkpoint_loading_hook import SafeCheckpointLoadingHook

__all__ = [
    'AtomicLocalBackend', 'AtomicCheckpointHook', 'ChannelsLastHook',
    'InputSizeCheckHook', 'SafeCheckpointLoadingHook', 'atomic_write_bytes',
    'remove_stale_tmp_files'
]
