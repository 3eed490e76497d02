"""Checks of the frames given to the renderers, and the error they raise."""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from sahelmap.errors import RenderError, warn

__all__ = ["RenderError", "as_wgs84", "drop_empty"]



def as_wgs84(frame: object, what: str) -> gpd.GeoDataFrame:
    """Return ``frame`` in EPSG:4326 (a frame without CRS is taken to be in it)."""
    if not isinstance(frame, gpd.GeoDataFrame):
        raise RenderError(
            f"The {what} frame must be a geopandas.GeoDataFrame, not {type(frame).__name__}."
        )
    if frame.crs is None:
        return frame
    if not frame.crs.equals("EPSG:4326"):
        return frame.to_crs("EPSG:4326")
    return frame


def drop_empty(frame: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    """Drop rows without geometry, with a warning that counts them."""
    empty = np.asarray(frame.geometry.isna() | frame.geometry.is_empty)
    if empty.any():
        warn(f"{int(empty.sum())} row(s) of the {what} frame have no geometry and are not "
             "drawn.")
        return frame.loc[~empty]
    return frame
