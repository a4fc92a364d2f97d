"""A user's own ``configs/`` folder, in the folder a command is run from, comes first.

The package ships its configs (``sim/configs``, found with ``importlib.resources``);
a planner's ``configs/scenario/my_province.yaml`` or ``configs/policy/training.yaml``
beside them adds a scenario or replaces the shipped one of that name.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from hydra.core.config_search_path import ConfigSearchPath
from hydra.plugins.search_path_plugin import SearchPathPlugin

FOLDER = "configs"


class UserConfigs(SearchPathPlugin):
    """Only for this package's commands: their search path holds ``sim/configs``."""

    def manipulate_search_path(self, search_path: ConfigSearchPath) -> None:
        own = Path.cwd() / FOLDER
        shipped = Path(str(files("sim") / "configs")).resolve()
        ours = any(
            element.path.removeprefix("file://") == str(shipped)
            for element in search_path.get_path()
        )
        if ours and own.is_dir() and own.resolve() != shipped:
            search_path.prepend(provider="user configs", path=f"file://{own.resolve()}")
