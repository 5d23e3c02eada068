import sys

from nixos_settings.cli.main import main

sys.exit(main())
