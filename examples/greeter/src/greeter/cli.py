import argparse

from greeter import __version__


def main(argv=None):
    parser = argparse.ArgumentParser(prog="greeter", description="Print a greeting.")
    parser.add_argument("name", nargs="?", default="world")
    parser.add_argument("--version", action="version", version=__version__)
    args = parser.parse_args(argv)
    print(f"Hello, {args.name}! (greeter {__version__})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
