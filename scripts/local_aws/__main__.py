"""``python -m local_aws -H 127.0.0.1 -p PORT``: moto's server with our extensions."""

import argparse

import moto.server

from . import install


def main():
    parser = argparse.ArgumentParser(prog="local_aws", description=__doc__)
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    args = parser.parse_args()
    install()
    moto.server.main(["-H", args.host, "-p", str(args.port)])


if __name__ == "__main__":
    main()
