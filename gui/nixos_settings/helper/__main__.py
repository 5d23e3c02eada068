"""``python -m nixos_settings.helper``: the same as ``nixos-settings-helper``."""

import sys

from nixos_settings.helper.verbs import main

sys.exit(main())
