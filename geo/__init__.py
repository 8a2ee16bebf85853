"""geo: the engine of the Vidzeme school-network planning tool.

Data flows one way::

    sources -> region bundle -> network engine -> scenario -> indicators -> maps / exports

Modules are flat, one concern each (see README.md for the module map).
"""

__version__ = "0.1.0"
