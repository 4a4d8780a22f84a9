#!/usr/bin/env python
"""Django's command-line utility; the installed ``fupin`` script does the same."""

from fupin.__main__ import main

if __name__ == "__main__":
    main()
