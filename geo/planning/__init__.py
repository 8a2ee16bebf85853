"""Planning: a prepared region, scenario files and their changes, pupil assignment, indicators,
projections and optimisation."""
