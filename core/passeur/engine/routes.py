"""Moved to `passeur.dsl.routes` (routes are the mapping language's business; here they
made a cycle dsl <-> engine). This name stays for code written against it."""

from passeur.dsl.routes import (
    SEARCH_PATH_ENV,
    MappingHeader,
    Route,
    find_named,
    find_route,
    mapping_dirs,
    route_under,
    scan_mappings,
    search_path,
)

__all__ = ["SEARCH_PATH_ENV", "MappingHeader", "Route", "find_named", "find_route",
           "mapping_dirs", "route_under", "scan_mappings", "search_path"]
