"""Real peer backends: MariaDB, RabbitMQ and Keystone from Debian packages, run without systemd.

The local model's peers (keystone, mysql, rabbitmq) have two backends; these are the real ones,
used by the e2e suite (issue 7). Each class owns one state directory under the model directory,
starts its daemon detached (see supervisor.py) and can be re-attached by a later process that
builds the same object on the same directory. See docs/real-services.md.
"""

from charmsmith.model.peers.real.keystone import Keystone, ServiceCredentials
from charmsmith.model.peers.real.mariadb import MariaDB
from charmsmith.model.peers.real.rabbitmq import RabbitMQ
from charmsmith.model.peers.real.supervisor import Daemon, ServiceError

__all__ = ["Daemon", "Keystone", "MariaDB", "RabbitMQ", "ServiceCredentials", "ServiceError"]
