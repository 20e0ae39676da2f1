"""Materializers that register themselves by declaring ASSOCIATED_TYPES."""

from __future__ import annotations

import json
from abc import abstractmethod
from typing import Any, ClassVar

from stackyard import BaseMaterializer


class Celsius:
    def __init__(self, degrees: float) -> None:
        self.degrees = degrees


class Kelvin(Celsius):
    pass


class CelsiusMaterializer(BaseMaterializer):
    ASSOCIATED_TYPES: ClassVar[tuple[type, ...]] = (Celsius,)

    def save(self, value: Any) -> None:
        with self.open("degrees.json", "w") as handle:
            json.dump({"celsius": value.degrees}, handle)

    def load(self, data_type: type) -> Any:
        with self.open("degrees.json", "r") as handle:
            return data_type(json.load(handle)["celsius"])


class TemplateMaterializer(BaseMaterializer):
    """Abstract: declares a type but cannot save, so it is not registered."""

    ASSOCIATED_TYPES: ClassVar[tuple[type, ...]] = (Kelvin,)

    @abstractmethod
    def unit(self) -> str: ...

    def save(self, value: Any) -> None:  # pragma: no cover - never used
        raise NotImplementedError

    def load(self, data_type: type) -> Any:  # pragma: no cover - never used
        raise NotImplementedError


class LoudCelsiusMaterializer(CelsiusMaterializer):
    """Inherits the types without declaring them: does not take them over."""
