"""The network engine: OSM roads -> CSR travel-time graph -> snapping -> travel times and access."""

from geo.network.graph import Network, build_network, build_network_from_file, pick_crs
from geo.network.snap import Snap, points_xy, snap

__all__ = ["Network", "Snap", "build_network", "build_network_from_file", "pick_crs", "points_xy", "snap"]
