"""Names of a package imported from their modules on first use (PEP 562)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_names(package: str, home: Mapping[str, str], namespace: dict[str, Any]
               ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A package's ``__getattr__`` and ``__dir__`` for names defined in its submodules.

    Parameters
    ----------
    package : str
        The package's name (its ``__name__``).
    home : mapping
        ``{name: submodule}``: the submodule (relative to ``package``) that defines each name.
    namespace : dict
        The package's ``globals()``: a name is put there once imported, so that it is looked
        up once; ``__dir__`` lists it with ``__all__``.

    Examples
    --------
    >>> namespace = {"__all__": ["parseString"]}
    >>> getattr_, dir_ = lazy_names("xml", {"parseString": "dom.minidom"}, namespace)
    >>> getattr_("parseString").__module__, "parseString" in namespace, dir_()
    ('xml.dom.minidom', True, ['__all__', 'parseString'])
    """

    def __getattr__(name: str) -> Any:
        if name in home:
            value = getattr(import_module(f"{package}.{home[name]}"), name)
            namespace[name] = value
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(namespace.get("__all__", ())))

    return __getattr__, __dir__
