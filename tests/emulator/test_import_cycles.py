"""The emulator's modules import each other in one direction only: no import cycles."""

from __future__ import annotations

import grimp

PACKAGE = "ssm_tui.emulator"


def test_no_emulator_module_imports_one_that_imports_it_back() -> None:
    graph = grimp.build_graph("ssm_tui")  # typing-only imports count: they are cycles too
    inside = {m for m in graph.modules if m.startswith(PACKAGE + ".")}
    cycles = sorted(
        (module, imported)
        for module in inside
        for imported in graph.find_modules_directly_imported_by(module) & inside
        if graph.chain_exists(importer=imported, imported=module)
    )
    assert cycles == []
