"""Session-wide test set-up shared by every test package.

Keep additions here minimal and additive: several parts of the project rely on this file.
"""

import platform

# charmhelpers.core.host (imported by charms.reactive) refuses to import on Debian, which is what
# this machine runs; the charms we test run on Ubuntu units.  charmhelpers prefers
# platform.linux_distribution when it exists, so pretend to be the jammy units they target.  This
# must happen before anything imports charmhelpers, hence module level in the root conftest.
platform.linux_distribution = lambda: ("Ubuntu", "22.04", "jammy")  # type: ignore[attr-defined]
