"""charmsmith: create, build offline and deploy reactive OpenStack API charms."""

__version__ = "0.1.0"
