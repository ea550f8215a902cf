import sys

from week4.cli import main

sys.exit(main())
