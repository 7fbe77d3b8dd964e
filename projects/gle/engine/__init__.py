"""Training-engine pieces: crash-safe checkpoint writing, channels_last
training."""
from .atomic_io import (AtomicLocalBackend, atomic_write_bytes,
                        remove_stale_tmp_files)
from .channels_last_hook import ChannelsLastHook
from .hooks import AtomicCheckpointHook

__all__ = [
    'AtomicLocalBackend', 'AtomicCheckpointHook', 'ChannelsLastHook',
    'atomic_write_bytes', 'remove_stale_tmp_files'
]
