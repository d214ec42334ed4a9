"""The feature index names real modules, and every KPI and tally belongs to a listed feature."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil

import sim
import sim.model
from sim.features import FEATURES, LAYERS
from sim.model.ledger import Tally


def test_every_module_the_index_names_exists() -> None:
    missing = [
        f"{f.name}.{layer}: {module}"
        for f in FEATURES.values()
        for layer, module in f.modules().items()
        if importlib.util.find_spec(module) is None
    ]
    assert not missing, missing


def test_every_kpi_belongs_to_a_feature_with_that_kpi_module() -> None:
    for kpi in sim.KPIS:
        feature = FEATURES.get(kpi.feature)
        assert feature is not None, f"{kpi.name}: unknown feature {kpi.feature!r}"
        module = inspect.getmodule(kpi.compute).__name__
        assert module == feature.kpis, f"{kpi.name} is declared in {module}, not {feature.kpis}"


def test_every_tally_is_declared_in_a_feature_model_module_or_the_pathway() -> None:
    models = {f.model for f in FEATURES.values()}
    for info in pkgutil.iter_modules(sim.model.__path__):
        module = importlib.import_module(f"sim.model.{info.name}")
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Tally) and cls is not Tally and cls.__module__ == module.__name__:
                assert module.__name__ in models, f"{cls.__name__} lives in {module.__name__}"


def test_each_feature_module_in_a_layer_is_listed() -> None:
    """A module named like a feature in any layer is in the index (no orphan feature)."""
    packages = {"spec": "sim.scenario", "model": "sim.model", "kpis": "sim.metrics",
                "describe": "sim.report.describe", "plots": "sim.report.plots"}  # fmt: skip
    assert set(packages) == set(LAYERS)
    listed = {getattr(f, layer) for f in FEATURES.values() for layer in LAYERS}
    for layer, package in packages.items():
        if layer in ("spec", "model"):
            continue  # these layers also hold shared modules (types, units, ledger, ...)
        pkg = importlib.import_module(package)
        for info in pkgutil.iter_modules(pkg.__path__):
            name = f"{package}.{info.name}"
            if info.name in FEATURES:
                assert name in listed, f"{name} is not in sim.features.FEATURES"
