"""Install the GLE fashion-landmark plugin as the import package ``gle``.

The code lives in ``projects/gle`` (OpenMMLab project layout); ``package_dir``
maps it to the top-level name ``gle`` so configs can say
``custom_imports=dict(imports=['gle'])``. Use ``bash tools/install.sh`` for a
complete install of the OpenMMLab stack (mmcv with ops comes prebuilt from
OpenMMLab's index where one fits, else compiled from source);
``pip install -e .`` alone assumes that stack is already present.

Dependencies come from ``requirements/``: ``runtime.txt`` is
``install_requires``; every other ``requirements/<name>.txt`` is the extra
``<name>`` (``pip install -e .[tests]``, ``.[lint]``, and any file added
later, e.g. ``requirements/demo.txt`` -> ``.[demo]``); ``.[all]`` is all of
them.
"""
import glob
import os.path as osp
import re
from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def read_version():
    with open(osp.join(HERE, 'projects', 'gle', 'version.py')) as f:
        return re.search(r"__version__ = '([^']+)'", f.read()).group(1)


def read_requirements(name):
    """Requirement strings of ``requirements/<name>``.

    ``-r other.txt`` lines are followed (relative to the file); other pip
    options (``--index-url``, ``-f``) cannot be expressed in package metadata
    and are left to ``pip install -r`` (``tools/install.sh``).

    Args:
        name (str): File name inside ``requirements/``.

    Returns:
        list[str]: The requirements, in file order.
    """
    reqs = []
    with open(osp.join(HERE, 'requirements', name)) as f:
        for line in f:
            # pip's comment rule: '#' at the start or after whitespace
            line = re.sub(r'(^|\s)#.*$', '', line).strip()
            if line.startswith(('-r ', '--requirement ')):
                reqs += read_requirements(line.split(None, 1)[1].strip())
            elif line and not line.startswith('-'):
                reqs.append(line)
    return reqs


def extras_from_requirements():
    """Every ``requirements/<name>.txt`` but ``runtime.txt`` as extra
    ``<name>``, plus ``all``.

    Returns:
        dict[str, list[str]]: ``extras_require`` for :func:`setup`.
    """
    extras = {}
    for path in sorted(glob.glob(osp.join(HERE, 'requirements', '*.txt'))):
        name = osp.basename(path)[:-len('.txt')]
        if name != 'runtime':
            extras[name] = read_requirements(osp.basename(path))
    extras.setdefault('all', sorted({r for v in extras.values() for r in v}))
    return extras


setup(
    name='gle-fashion-landmarks',
    version=read_version(),
    description=('Global-Local Embedding (GLE) fashion landmark detection '
                 'for MMPose'),
    long_description=open(osp.join(HERE, 'README.md')).read(),
    long_description_content_type='text/markdown',
    license='Apache License 2.0',
    python_requires='>=3.8',
    package_dir={'gle': 'projects/gle'},
    packages=['gle'] + ['gle.' + p for p in find_packages('projects/gle')],
    install_requires=['mmcv>=2.0.0,<2.2.0'] + read_requirements('runtime.txt'),
    extras_require=extras_from_requirements(),
    zip_safe=False,
)
