"""The local AWS: moto (pinned in scripts/requirements.txt) plus our extensions.

moto 5.2.5 cannot deploy the matbakh design (see shared notes "local-aws-gaps"). Each
module of this package extends one AWS service in-process, following what AWS documents
(CloudFormation Template Reference, the service API reference), never what makes our
templates pass. Every module has an ``install()``; ``install()`` here runs them all.

Start it with ``python -m local_aws -H 127.0.0.1 -p PORT`` (from ``scripts/``), or
through ``scripts/local-aws.sh start``.
"""

import importlib
import pkgutil

_installed = False


def service_modules():
    """The extension modules, one per AWS service, in name order."""
    names = sorted(
        m.name
        for m in pkgutil.iter_modules(__path__)
        if not m.name.startswith("_") and m.name != "tests"
    )
    return [importlib.import_module(f"{__name__}.{name}") for name in names]


def install():
    """Patches moto with every extension. Idempotent."""
    global _installed
    if _installed:
        return
    for module in service_modules():
        module.install()
    from ._cfn import refresh_model_caches

    refresh_model_caches()
    _installed = True
