import sys

from nixos_settings.cli import main

sys.exit(main())
