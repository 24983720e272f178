"""A contract type for import-linter (pyproject.toml, `contract_types`): the direct
subpackages of a package whose names end with a suffix are independent of each other, so
that `galilean_services.*_service` covers every hub service, the ones to come included
(import-linter's own wildcards replace whole module names only)."""

from __future__ import annotations

from typing import Any

from importlinter.contracts.independence import IndependenceContract
from importlinter.domain import fields
from importlinter.domain.contract import ContractCheck
from importlinter.domain.imports import ModuleExpression


class SuffixIndependenceContract(IndependenceContract):
    """Options: `container` (a package), `suffix` (e.g. "_service"), and the independence
    contract's own (`ignore_imports`, ...). Its `modules` are found in the import graph."""

    type_name = "suffix_independence"

    container = fields.StringField()
    suffix = fields.StringField()
    # import-linter reads a contract's fields from its own class: declared again.
    modules = fields.SetField(subfield=fields.ModuleExpressionField(), required=False)
    ignore_imports = IndependenceContract.ignore_imports
    unmatched_ignore_imports_alerting = IndependenceContract.unmatched_ignore_imports_alerting
    broken_contract_guidance = IndependenceContract.broken_contract_guidance

    def check(self, graph: Any, verbose: bool) -> ContractCheck:
        children = graph.find_children(str(self.container))
        self.modules = {  # type: ignore[assignment]
            ModuleExpression(name) for name in sorted(children) if name.endswith(str(self.suffix))
        }
        return super().check(graph, verbose)
