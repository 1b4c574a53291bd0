"""appealcheck: catch forged documents in sellers' infringement appeals."""

__version__ = "0.1.0"
