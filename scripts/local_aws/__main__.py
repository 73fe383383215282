"""``python -m local_aws -H 127.0.0.1 -p PORT``: moto's server with our extensions.

``python -m local_aws --list-types``: the CloudFormation resource types the local AWS
models completely (create, update and delete handlers), one per line."""

import argparse

import moto.server

from . import install
from ._cfn import complete_types


def main():
    parser = argparse.ArgumentParser(prog="local_aws", description=__doc__)
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    parser.add_argument("--list-types", action="store_true", help="print the fully modelled resource types and exit")
    args = parser.parse_args()
    install()
    if args.list_types:
        print("\n".join(complete_types()))
        return
    moto.server.main(["-H", args.host, "-p", str(args.port)])


if __name__ == "__main__":
    main()
