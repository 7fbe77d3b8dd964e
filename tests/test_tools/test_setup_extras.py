"""setup.py: runtime.txt is install_requires, every other requirements file
an extra of the same name, read from the package metadata setuptools
writes."""
import os
import os.path as osp
import shutil
import subprocess
import sys

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def requirement_lines(path):
    with open(path) as f:
        lines = [line.split('#')[0].strip() for line in f]
    return [line for line in lines if line]


def egg_info(src, tmp_path):
    """Run ``setup.py egg_info`` on ``src``; return requires.txt as
    ``{section: [requirements]}`` ('' is install_requires)."""
    out = tmp_path / 'egg'
    out.mkdir()
    subprocess.run(
        [sys.executable, 'setup.py', '-q', 'egg_info', '-e',
         str(out)],
        cwd=src,
        check=True,
        capture_output=True)
    sections, name = {'': []}, ''
    (info, ) = [p for p in os.listdir(out) if p.endswith('.egg-info')]
    with open(out / info / 'requires.txt') as f:
        for line in f.read().splitlines():
            if line.startswith('['):
                name = line.strip('[]')
                sections[name] = []
            elif line:
                sections[name].append(line)
    return sections


def copy_setup(tmp_path):
    """The files setup.py reads, in a temporary tree."""
    src = tmp_path / 'src'
    (src / 'projects' / 'gle').mkdir(parents=True)
    for name in ('setup.py', 'README.md'):
        shutil.copy(osp.join(REPO, name), src / name)
    shutil.copy(
        osp.join(REPO, 'projects', 'gle', 'version.py'),
        src / 'projects' / 'gle' / 'version.py')
    (src / 'projects' / 'gle' / '__init__.py').write_text('')
    shutil.copytree(osp.join(REPO, 'requirements'), src / 'requirements')
    return src


def test_requirement_files_are_install_requires_and_extras(tmp_path):
    src = copy_setup(tmp_path)
    sections = egg_info(src, tmp_path)
    runtime = requirement_lines(osp.join(REPO, 'requirements', 'runtime.txt'))
    assert sections[''] == ['mmcv<2.2.0,>=2.0.0'] + runtime
    others = sorted(f[:-4] for f in os.listdir(osp.join(REPO, 'requirements'))
                    if f.endswith('.txt') and f != 'runtime.txt')
    assert {'tests', 'lint'} <= set(others)
    for name in others:
        assert sections[name] == requirement_lines(
            osp.join(REPO, 'requirements', f'{name}.txt')), name
    assert sorted(sections['all']) == sorted(
        {r
         for name in others for r in sections[name]})


def test_a_new_requirements_file_becomes_an_extra(tmp_path):
    src = copy_setup(tmp_path)
    (src / 'requirements' / 'demo.txt').write_text(
        '# drawing for the demo\nmatplotlib>=3.5  # plots\n'
        '-r lint.txt\n--extra-index-url https://example.invalid/simple\n')
    sections = egg_info(src, tmp_path)
    lint = requirement_lines(osp.join(REPO, 'requirements', 'lint.txt'))
    # '-r' is followed, pip-only options are left out of the metadata
    assert sections['demo'] == ['matplotlib>=3.5'] + lint
    assert 'matplotlib>=3.5' in sections['all']
    assert 'matplotlib>=3.5' not in sections['']
