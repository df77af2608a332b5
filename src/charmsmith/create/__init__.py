"""The charm generator: one cookiecutter template behind three front doors.

``charmsmith create`` (command.py), ``charm create -t openstack-api`` (charmtools_plugin.py) and
plain ``cookiecutter`` (the template's hooks) all validate with validation.py, resolve answers
with answers.py and render through render.py, so they produce the same bytes for the same answers.
"""
