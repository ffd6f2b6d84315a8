import sys

from evaluering.cli import main

sys.exit(main())
