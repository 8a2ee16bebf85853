"""Outputs: map layers from results, offline web maps, static maps, exports and the report."""
