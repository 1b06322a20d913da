"""The `dailypapers` console command: Django's management commands under our own name.

    dailypapers migrate
    dailypapers import hf-daily PATH...
    dailypapers runserver          # development server
    dailypapers serve              # production server (gunicorn)
"""

import os
import sys


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dailypapers.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "dailypapers"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
