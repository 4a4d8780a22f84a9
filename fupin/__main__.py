"""The ``fupin`` console script: Django's manage.py under a friendlier name.

``fupin demo``, ``fupin areas import FILE.csv``, ``fupin runserver`` ... all go through here.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["fupin", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
