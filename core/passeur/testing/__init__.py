"""The kit for plugin authors: one call checks a whole plugin the way passeur uses it.

`check_plugin("sage100", samples={"invoice": [path, ...]})` checks the system's declaration,
reads every sample, sends each document to the canonical model and back, reads what the
writer wrote, compiles the plugin's mapping files and runs their examples both ways, and,
given a `LiveCheck`, drives the client against the sandbox over loopback (list, create,
then a create whose answer is lost, which must come back as uncertain). It fails with every
problem listed. The built-in plugins are tested through this same entry point.

`system_problems(spec)` / `assert_system_conforms(spec)` check a `SystemSpec` alone;
`installed_distribution(...)` installs a throwaway plugin for a test.
"""

from __future__ import annotations

from passeur.testing.declarations import (
    assert_system_conforms,
    installed_distribution,
    system_problems,
)
from passeur.testing.kit import LiveCheck, PluginReport, check_plugin, plugin_problems
from passeur.testing.values import same_value, value_differences

__all__ = ["LiveCheck", "PluginReport", "assert_system_conforms", "check_plugin",
           "installed_distribution", "plugin_problems", "same_value", "system_problems",
           "value_differences"]
