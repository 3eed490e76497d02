"""sahelmap: displacement and crisis mapping for the central Sahel (Mali, Niger)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sahelmap")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
