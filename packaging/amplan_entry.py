"""Entry script of the standalone bundle: the same `main` as the `amplan` command."""

import sys

from desktop.launch import main

if __name__ == "__main__":
    sys.exit(main())
