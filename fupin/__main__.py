"""The ``fupin`` console script: Django's manage.py under a friendlier name.

``fupin demo``, ``fupin areas import FILE.csv``, ``fupin runserver`` ... all go through here.
A command may be typed with hyphens (``fupin exit-check``): Django names a command after its file, so
``exit-check`` runs ``exit_check`` (also after ``help``).
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["fupin", *command_names(args)])


def command_names(args: list[str]) -> list[str]:
    """``args`` with the command's name (and the one after ``help``) spelled as Django names it: hyphens
    become underscores. Options and arguments are left as they are."""
    args = list(args)
    positions = [0, 1] if args[:1] == ["help"] else [0]
    for i in positions:
        if i < len(args) and not args[i].startswith("-"):
            args[i] = args[i].replace("-", "_")
    return args


if __name__ == "__main__":
    main()
