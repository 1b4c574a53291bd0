"""Brand packs and their rules."""

from appealcheck.rules.pack import BrandPack, find_pack, load_pack

__all__ = ["BrandPack", "find_pack", "load_pack"]
