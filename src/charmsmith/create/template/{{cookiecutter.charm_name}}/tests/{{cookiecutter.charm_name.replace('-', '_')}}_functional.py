{% set c = cookiecutter | charmsmith %}
"""Functional tests run by zaza against a deployed model (tests/tests.yaml names the class).

They look at the service the way a cloud user does: through keystone's catalog, with a real
token. The base class knows the deployed application, its units and the model's keystone.
"""

import logging

import zaza.openstack.charm_tests.test_utils as test_utils
import zaza.openstack.utilities.openstack as openstack_utils

APPLICATION = {{ c.name | py }}
SERVICE_TYPE = {{ c.service_type | py }}
PORT = {{ c.port }}
CONFIG_FILE = {{ c.config_files[0].path | py }}
SERVICES = {{ c.services | py(0, 11) }}


class {{ c.class_name }}Test(test_utils.OpenStackBaseTest):
    """The API is in the catalog, answers an authenticated call and follows config changes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass(application_name=APPLICATION)
        cls.session = openstack_utils.get_overcloud_keystone_session()

    def endpoint(self, interface: str = "public") -> str:
        url = self.session.get_endpoint(service_type=SERVICE_TYPE, interface=interface)
        self.assertTrue(url, f"no {interface} {SERVICE_TYPE} endpoint in the catalog")
        return url

    def test_100_catalog_has_every_interface(self):
        for interface in ("public", "internal", "admin"):
            url = self.endpoint(interface)
            logging.info("%s endpoint: %s", interface, url)
            self.assertIn(f":{PORT}", url)

    def test_110_authenticated_call_answers(self):
        response = self.session.get(self.endpoint(), raise_exc=False)
        logging.info("GET %s -> %s", self.endpoint(), response.status_code)
        self.assertLess(response.status_code, 500, response.text[:500])
        self.assertNotIn(response.status_code, (401, 403), "the token was refused")

    def test_900_restart_on_config_change(self):
        """Changing `debug` rewrites the config file and restarts the services using it."""
        self.restart_on_changed_debug_oslo_config_file(CONFIG_FILE, SERVICES)

    def test_910_pause_and_resume(self):
        with self.pause_resume(SERVICES):
            logging.info("paused and resumed %s", ", ".join(SERVICES))
