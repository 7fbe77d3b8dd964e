"""Installing the Debian packages a test needs (Slurm for the launch tests,
Chromium for the browser-demo test) with apt-get, when they are missing."""
import os
import shutil
import subprocess
import time


def apt_install(packages, missing, tag, timeout, log=print):
    """Install ``packages`` with apt-get while ``missing()`` lists anything:
    ``install``, and on failure ``update`` and ``install`` again.

    Args:
        packages (Sequence[str]): The Debian packages.
        missing (Callable[[], list]): What is still missing (binaries,
            files); empty when ready.
        tag (str): The log lines' prefix, e.g. ``'[slurm test]'``.
        timeout (float): Seconds each apt-get command may take.
        log (Callable[[str], None]): Where progress lines go.

    Returns:
        str | None: None when ready, else why it cannot be (the exact
        error).
    """
    if not missing():
        return None
    if os.geteuid() != 0:
        return (f'missing {missing()} and not root, so apt-get install is '
                'impossible')
    if shutil.which('apt-get') is None:
        return f'missing {missing()} and there is no apt-get on this machine'
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    install = [
        'apt-get', 'install', '-y', '--no-install-recommends', *packages
    ]
    error = ''
    for cmd in (install, ['apt-get', 'update'], install):
        log(f'{tag} {" ".join(cmd)}')
        start = time.time()
        try:
            proc = subprocess.run(
                cmd, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            return f'`{" ".join(cmd)}` timed out after {e.timeout}s'
        log(f'{tag}   exit code {proc.returncode} after '
            f'{time.time() - start:.0f}s')
        if proc.returncode != 0:
            error = (f'`{" ".join(cmd)}` failed ({proc.returncode}): '
                     f'{(proc.stderr or proc.stdout).strip()[-1500:]}')
        elif cmd is install and not missing():
            return None
    return error or f'still missing {missing()} after apt-get install'
