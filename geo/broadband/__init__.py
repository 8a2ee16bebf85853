"""Broadband white spots: coverage per place, EU classes, border bands, school connectivity, the
joint view with school access, and where to connect first.

Between :mod:`geo.region` (bundles) and :mod:`geo.planning` (scenarios): it reads bundle layers
and plain arrays, never scenarios. Modules: :mod:`~geo.broadband.coverage` (operators and the
Ookla proxy per cell), :mod:`~geo.broadband.classes` (white / grey / black, 100 Mbit/s, gigabit,
measured; tables per municipality), :mod:`~geo.broadband.border` (distance to the national land
border), :mod:`~geo.broadband.schools`, :mod:`~geo.broadband.joint`,
:mod:`~geo.broadband.priority` and :mod:`~geo.broadband.analysis` (the whole chain).
"""

from geo.broadband import border, classes, joint  # noqa: F401  (register their strings)
