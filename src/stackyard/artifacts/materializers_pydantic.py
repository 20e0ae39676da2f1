"""Pydantic models as JSON; imported only once a pydantic type is looked up."""

from __future__ import annotations

from pydantic import BaseModel

from stackyard.artifacts.materializers import BaseMaterializer

_FILE = "data.json"


class PydanticMaterializer(BaseMaterializer):
    """Any BaseModel subclass, validated back into the recorded model class."""

    ASSOCIATED_TYPES = (BaseModel,)
    READABLE_FILES = True

    def save(self, value: BaseModel) -> None:
        with self.open(_FILE, "w") as file:
            file.write(value.model_dump_json())

    def load(self, data_type: type[BaseModel]) -> BaseModel:
        with self.open(_FILE, "r") as file:
            return data_type.model_validate_json(file.read())
