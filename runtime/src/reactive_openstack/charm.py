"""The charm classes: OpenStackCharm -> OpenStackAPICharm -> HAOpenStackCharm.

A charm author describes the service with class attributes (packages, services, ports, files) and
the classes turn that description into hook behaviour. The base class is in _charm_base.py, the
API and HA classes in _api_charm.py; this module is where charms and their tests import them.
"""

from __future__ import annotations

from reactive_openstack._api_charm import HAOpenStackCharm, OpenStackAPICharm
from reactive_openstack._charm_base import PAUSED_FLAG, OpenStackCharm

__all__ = ["PAUSED_FLAG", "HAOpenStackCharm", "OpenStackAPICharm", "OpenStackCharm"]
