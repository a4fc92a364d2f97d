"""The ground layer: the state's arrays and the compiled service loop over them (event
heap, queues and their disciplines, offices and clerks, the dossier's path, working
hours, tallies), the working calendar, metrics and random streams. Knows nothing of
configs, agents or policies; every other layer builds on it.
"""

from sim.core.compiled_cache import use_cache_folder

use_cache_folder()
