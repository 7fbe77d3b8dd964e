"""A throw-away single-node Slurm cluster on localhost for the launch tests.

munged, slurmctld and slurmd run in the foreground as children of the test
process with every file (munge key and socket, slurm.conf, state, spool, logs)
in one temporary folder and the Slurm ports on 127.0.0.1; nothing under /etc or
/var is used, so an existing Slurm installation is left alone. Clients find the
cluster through ``SLURM_CONF`` (see :meth:`LocalSlurm.env`).
"""
import getpass
import os
import os.path as osp
import shutil
import subprocess
import time

from apt_packages import apt_install
from cluster_utils import free_port

#: Debian/Ubuntu packages with the daemons and the client commands
APT_PACKAGES = ('slurmctld', 'slurmd', 'slurm-client', 'munge')
BINARIES = ('munged', 'slurmctld', 'slurmd', 'srun', 'scontrol', 'sinfo',
            'squeue', 'scancel')
SEARCH_PATH = os.pathsep.join(
    [os.environ.get('PATH', ''), '/usr/sbin', '/sbin', '/usr/local/sbin'])
PARTITION = 'debug'
NODE = 'localhost'
#: lines for the end of the pytest report (install, start-up time or why
#: skipped)
NOTES = []

SLURM_CONF = """\
ClusterName=gletest
SlurmctldHost={node}(127.0.0.1)
SlurmUser={user}
SlurmdUser={user}
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
AuthType=auth/munge
AuthInfo=socket={munge_socket}
CredType=cred/munge
StateSaveLocation={root}/state
SlurmdSpoolDir={root}/spool
SlurmctldPidFile={root}/slurmctld.pid
SlurmdPidFile={root}/slurmd.pid
SlurmctldLogFile={root}/log/slurmctld.log
SlurmdLogFile={root}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
SlurmdParameters=config_overrides
NodeName={node} NodeAddr=127.0.0.1 CPUs={cpus} State=UNKNOWN
PartitionName={partition} Nodes={node} Default=YES MaxTime=INFINITE State=UP
"""


def which(name):
    return shutil.which(name, path=SEARCH_PATH)


def missing_binaries():
    return [b for b in BINARIES if which(b) is None]


def ensure_installed(log=print):
    """Install slurmctld/slurmd/slurm-client/munge with apt-get if any binary
    is missing. Returns None when ready, else the reason it cannot be (exact
    error)."""
    return apt_install(APT_PACKAGES, missing_binaries, '[slurm test]', 240,
                       log)


class LocalSlurm:
    """munged + slurmctld + slurmd for one node ``localhost`` with ``cpus``
    CPUs."""

    def __init__(self, root, cpus=2):
        self.root = str(root)
        self.cpus = cpus
        self.conf = osp.join(self.root, 'slurm.conf')
        self.munge_socket = osp.join(self.root, 'munge', 'munge.socket')
        self.procs = {}

    def env(self, base=None):
        """Environment for Slurm clients (srun, sinfo, ...) of this cluster."""
        env = dict(os.environ if base is None else base)
        env['SLURM_CONF'] = self.conf
        env['PATH'] = SEARCH_PATH if base is None else env.get(
            'PATH', SEARCH_PATH)
        return env

    def logs(self):
        text = []
        for name in sorted(os.listdir(osp.join(self.root, 'log'))):
            with open(osp.join(self.root, 'log', name), errors='replace') as f:
                text.append(f'--- {name} ---\n{f.read()[-3000:]}')
        return '\n'.join(text)

    def _spawn(self, name, cmd):
        log = open(osp.join(self.root, 'log', f'{name}.out'), 'w')
        self.procs[name] = subprocess.Popen(
            cmd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=self.env())
        log.close()

    def _client(self, *args, timeout=30):
        return subprocess.run([which(args[0]), *args[1:]],
                              env=self.env(),
                              capture_output=True,
                              text=True,
                              timeout=timeout)

    def _wait(self, what, ready, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            dead = {
                n: p.returncode
                for n, p in self.procs.items() if p.poll() is not None
            }
            if dead:
                raise RuntimeError(f'{dead} exited while waiting for {what}:\n'
                                   f'{self.logs()}')
            if ready():
                return
            time.sleep(0.25)
        raise RuntimeError(
            f'timed out ({timeout}s) waiting for {what}:\n{self.logs()}')

    def start(self, timeout=60):
        for sub in ('munge', 'state', 'spool', 'log'):
            os.makedirs(osp.join(self.root, sub), exist_ok=True)
        os.chmod(osp.join(self.root, 'munge'), 0o755)
        key = osp.join(self.root, 'munge', 'munge.key')
        with open(
                os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400),
                'wb') as f:
            f.write(os.urandom(1024))
        self._spawn('munged', [
            which('munged'), '--foreground', '--force',
            f'--socket={self.munge_socket}', f'--key-file={key}',
            f'--log-file={self.root}/log/munged.log',
            f'--pid-file={self.root}/munge/munged.pid',
            f'--seed-file={self.root}/munge/munged.seed'
        ])
        self._wait('the munge socket', lambda: osp.exists(self.munge_socket),
                   timeout)

        with open(self.conf, 'w') as f:
            f.write(
                SLURM_CONF.format(
                    node=NODE,
                    partition=PARTITION,
                    cpus=self.cpus,
                    root=self.root,
                    user=getpass.getuser(),
                    munge_socket=self.munge_socket,
                    ctld_port=free_port(),
                    slurmd_port=free_port()))
        self._spawn('slurmctld', [which('slurmctld'), '-D', '-f', self.conf])
        self._spawn('slurmd',
                    [which('slurmd'), '-D', '-f', self.conf, '-N', NODE])

        def node_idle():
            out = self._client('sinfo', '-h', '-n', NODE, '-o', '%t')
            return out.returncode == 0 and out.stdout.strip() == 'idle'

        self._wait(f'node {NODE} to be idle', node_idle, timeout)

    def stop(self):
        """Cancel leftover jobs, stop the daemons (also after a failed
        start)."""
        if self.procs.get(
                'slurmctld') and self.procs['slurmctld'].poll() is None:
            try:
                jobs = self._client(
                    'squeue', '-h', '-o', '%A', timeout=10).stdout.split()
                if jobs:
                    self._client('scancel', *jobs, timeout=10)
                    time.sleep(1)
            except (subprocess.SubprocessError, OSError):
                pass
        for name in ('slurmd', 'slurmctld', 'munged'):
            proc = self.procs.get(name)
            if proc is None or proc.poll() is not None:
                continue
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
