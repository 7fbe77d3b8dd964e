"""Training-engine pieces: crash-safe checkpoint writing, weights-only
checkpoint loading, channels_last training."""
from .atomic_checkpoint_hook import AtomicCheckpointHook
from .atomic_io import (AtomicLocalBackend, atomic_write_bytes,
                        remove_stale_tmp_files)
from .channels_last_hook import ChannelsLastHook
from .safe_checkpoint_loading_hook import SafeCheckpointLoadingHook

__all__ = [
    'AtomicLocalBackend', 'AtomicCheckpointHook', 'ChannelsLastHook',
    'SafeCheckpointLoadingHook', 'atomic_write_bytes', 'remove_stale_tmp_files'
]
