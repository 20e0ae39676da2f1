"""`DockerSettings`: what a user says about the image their steps run in."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class DockerSettings(BaseModel):
    """Per pipeline (`settings={"docker": ...}`) or per step; step settings win.

    >>> DockerSettings(requirements=["scikit-learn>=1.4"], apt_packages=["libgomp1"])
    """

    model_config = ConfigDict(extra="forbid")

    parent_image: str | None = Field(
        default=None, description="Base image; default python:<local version>-slim."
    )
    requirements: list[str] | str | None = Field(
        default=None, description="pip requirement lines, or a path to a requirements file."
    )
    replicate_local_python_environment: bool = Field(
        default=False, description="Pin every package installed here (pip freeze)."
    )
    requirements_from_imports: bool = Field(
        default=True,
        description="Add the installed packages the pipeline's code imports, pinned to the "
        "versions installed here (those `requirements` names already are left to it).",
    )
    apt_packages: list[str] = []
    environment: dict[str, str] = {}
    allow_including_files_in_images: bool = Field(
        default=True,
        description="Copy the pipeline's code into the image when it has no code reference.",
    )
    install_stackyard: bool = True
