"""The `mlflow` experiment tracker: each tracked step an MLflow run, nested under one
MLflow run per pipeline run. Needs `pip install 'stackyard[mlflow]'`; mlflow itself is
imported only by the process that drives a tracked run and the ones running its steps.

What MLflow holds: the experiment `experiment_name` (default: the pipeline's name);
in it, one run per pipeline run, named after it and tagged `stackyard.pipeline_run_id`;
under that run (`mlflow.parentRunId`), one run per tracked step, named after the step,
with the step's parameters as params and tags naming the pipeline, run and step. The
step's run is MLflow's active run while the step's function runs, so `mlflow.log_metric`
and `mlflow.autolog()` log into it. The step's metadata gets `mlflow_run_id` and
`experiment_tracker_url`, its link in the MLflow UI.

Who does what, and where:
- `connect` (before the run is recorded, and in each worker): mlflow is installed and,
  for an http(s) tracking URI, the server answers an authenticated API call.
- `pipeline_run_started`, in the process driving the run, before any step starts: the
  experiment and the pipeline run's MLflow run. Steps running elsewhere (local_parallel
  workers, Ray tasks) find that run by its tag, so there is one, whoever asks first.
- `step_run`, in the process running the step: the step's MLflow run, ended FINISHED or
  FAILED (KILLED when interrupted), with the step.
- `pipeline_run_finished`, in the driving process: the pipeline run's MLflow run ends
  with the run's status (FINISHED, FAILED, KILLED).

Credentials (`tracking_username` and `tracking_password`, or `tracking_token`; normally
`{{secret.key}}` references) reach MLflow the one way it reads them, as the
MLFLOW_TRACKING_* environment variables: set around the tracker's own calls and the
step's call only, and restored right after, with the tracking URI. They are never
logged or put in an error message. The process-wide settings make one tracked step at a
time per process, which is how every orchestrator runs steps.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.util
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

from pydantic import Field, SecretStr, model_validator

from stackyard.exceptions import InputError, StackyardError
from stackyard.experiment_trackers.base import (
    BaseExperimentTracker,
    BaseExperimentTrackerConfig,
    BaseExperimentTrackerFlavor,
)
from stackyard.experiment_trackers.mlflow_process import (
    disable_new_autologging,
    enabled_autologging,
    end_runs,
    environment,
    param_value,
)
from stackyard.models.enums import ExecutionStatus
from stackyard.stack.flavor import StackComponent, StackComponentConfig

if TYPE_CHECKING:
    from mlflow.entities import Run
    from mlflow.tracking import MlflowClient

    from stackyard.models.pipelines import PipelineRunResponse
    from stackyard.pipelines.context import StepContext
    from stackyard.store.base import Store

CONNECT_TIMEOUT = 5.0
PIPELINE_RUN_TAG = "stackyard.pipeline_run_id"
KIND_TAG = "stackyard.kind"  # "pipeline_run" or "step"
MLFLOW_STATUS = {
    ExecutionStatus.COMPLETED: "FINISHED",
    ExecutionStatus.CACHED: "FINISHED",
    ExecutionStatus.FAILED: "FAILED",
    ExecutionStatus.STOPPED: "KILLED",
}
USERNAME, PASSWORD, TOKEN = (
    "MLFLOW_TRACKING_USERNAME",
    "MLFLOW_TRACKING_PASSWORD",
    "MLFLOW_TRACKING_TOKEN",
)


class MLflowExperimentTrackerConfig(BaseExperimentTrackerConfig):
    """Where MLflow is, how to log in to it, and how steps' runs are laid out."""

    tracking_uri: str = Field(
        min_length=1,
        description="the MLflow tracking server (http://host:5000), or any tracking URI "
        "mlflow accepts (sqlite:///path/mlflow.db, databricks, ...)",
    )
    experiment_name: str | None = Field(
        default=None,
        min_length=1,
        description="the MLflow experiment; default: the pipeline's name",
    )
    tracking_username: str | None = Field(
        default=None, description="basic-auth user (MLflow's auth app), with tracking_password"
    )
    tracking_password: SecretStr | None = Field(
        default=None, description="basic-auth password: a {{secret.key}} reference"
    )
    tracking_token: SecretStr | None = Field(
        default=None, description="bearer token instead of a user: a {{secret.key}} reference"
    )
    nested: bool = Field(
        default=True,
        description="each step its own MLflow run under the pipeline run's; false: steps log "
        "into the pipeline run's MLflow run (params prefixed with the step name)",
    )

    @model_validator(mode="after")
    def _one_login(self) -> MLflowExperimentTrackerConfig:
        if (self.tracking_username is None) != (self.tracking_password is None):
            raise ValueError("tracking_username and tracking_password go together")
        if self.tracking_token is not None and self.tracking_username is not None:
            raise ValueError(
                "log in with tracking_username and tracking_password, or with tracking_token, "
                "not both"
            )
        return self


@dataclass(frozen=True)
class _Parent:
    """The MLflow run of one pipeline run, and its experiment."""

    experiment_id: str
    run_id: str


def _redacted(uri: str) -> str:
    """`uri` without a user or password in it, for messages, metadata and links."""
    parts = urlsplit(uri)
    if not parts.netloc or "@" not in parts.netloc:
        return uri
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else 'no message'}"


class MLflowExperimentTracker(BaseExperimentTracker):
    config: MLflowExperimentTrackerConfig

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # pipeline run id → its MLflow run; this object lives as long as the run's stack
        # in this process (the driver's, or a worker's for the run)
        self._parents: dict[UUID, _Parent] = {}

    # -- where MLflow is ------------------------------------------------------------------------
    @property
    def _is_server(self) -> bool:
        return urlsplit(self.config.tracking_uri).scheme in ("http", "https")

    @property
    def tracking_uri(self) -> str:
        uri = self.config.tracking_uri
        return uri.rstrip("/") if self._is_server else uri

    @property
    def shown_uri(self) -> str:
        return _redacted(self.tracking_uri)

    def experiment_name(self, pipeline_name: str) -> str:
        return self.config.experiment_name or pipeline_name

    def run_url(self, experiment_id: str, run_id: str) -> str | None:
        """The run's page in the MLflow UI (a tracking server's only)."""
        if not self._is_server:
            return None
        return f"{self.shown_uri}/#/experiments/{experiment_id}/runs/{run_id}"

    def _credentials(self) -> dict[str, str | None]:
        """MLflow's credential variables for this tracker's login; the other kind of login
        is cleared, since MLflow would prefer a user and password found in the environment."""
        config = self.config
        if config.tracking_username is not None and config.tracking_password is not None:
            return {
                USERNAME: config.tracking_username,
                PASSWORD: config.tracking_password.get_secret_value(),
                TOKEN: None,
            }
        if config.tracking_token is not None:
            return {USERNAME: None, PASSWORD: None, TOKEN: config.tracking_token.get_secret_value()}
        return {}  # whatever the environment provides, as mlflow itself would use it

    # -- before a run ------------------------------------------------------------------------------
    def connect(self, store: Store) -> None:
        """mlflow is installed and the tracking server answers, before anything is recorded."""
        if importlib.util.find_spec("mlflow") is None:
            raise InputError(
                f"experiment tracker {self.name!r} needs MLflow: pip install 'stackyard[mlflow]'"
            )
        if self._is_server:
            self._check_server()

    def _check_server(self) -> None:
        """One authenticated MLflow API call, with the standard library (importing mlflow
        takes seconds): refused credentials, a server that is down or is not MLflow fail
        here with one line."""
        import base64
        import ssl
        import urllib.error
        import urllib.request

        parts = urlsplit(self.tracking_uri)
        values = {**os.environ, **self._credentials()}
        headers = {}
        user = values.get(USERNAME) or parts.username
        password = values.get(PASSWORD) or parts.password
        if user and password:
            pair = base64.b64encode(f"{user}:{password}".encode()).decode()
            headers["Authorization"] = f"Basic {pair}"
        elif values.get(TOKEN):
            headers["Authorization"] = f"Bearer {values[TOKEN]}"
        context = None
        if parts.scheme == "https":
            context = ssl.create_default_context(
                cafile=os.environ.get("MLFLOW_TRACKING_SERVER_CERT_PATH")
            )
            if os.environ.get("MLFLOW_TRACKING_INSECURE_TLS", "").lower() == "true":
                context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        url = f"{self.shown_uri}/api/2.0/mlflow/experiments/search?max_results=1"
        where = f"the MLflow server at {self.shown_uri} (experiment tracker {self.name!r})"
        request = urllib.request.Request(url, headers=headers)
        try:
            with urllib.request.urlopen(
                request, timeout=CONNECT_TIMEOUT, context=context
            ) as answer:
                body = answer.read()
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):
                login = "the credentials from its configuration"
                if not self._credentials():
                    login = "a request without credentials"
                raise InputError(
                    f"{where} refused {login} (HTTP {exc.code}); check tracking_username and "
                    "tracking_password, or tracking_token"
                ) from None
            raise InputError(
                f"{where} answered an MLflow API call with HTTP {exc.code} {exc.reason}; is "
                "tracking_uri an MLflow tracking server?"
            ) from None
        except (OSError, ValueError) as exc:  # URLError, timeouts, refused connections
            reason = getattr(exc, "reason", exc)
            raise InputError(
                f"cannot reach {where}: {reason}; start it (mlflow server --host HOST --port "
                "PORT) or fix tracking_uri"
            ) from None
        try:
            json.loads(body)
        except ValueError:
            raise InputError(
                f"{where} did not answer an MLflow API call with JSON; is tracking_uri an "
                "MLflow tracking server?"
            ) from None

    # -- talking to MLflow ----------------------------------------------------------------------
    @contextmanager
    def _session(self, doing: str) -> Iterator[MlflowClient]:
        """A client for this tracker's server, with its credentials in the environment for
        the block; MLflow's own errors come out as one line naming the server."""
        from mlflow.tracking import MlflowClient

        try:
            with environment(self._credentials()):
                yield MlflowClient(tracking_uri=self.tracking_uri)
        except StackyardError:
            raise
        except Exception as exc:
            raise InputError(
                f"experiment tracker {self.name!r} could not {doing} at {self.shown_uri}: "
                f"{_one_line(exc)}"
            ) from None

    def _experiment_id(self, client: MlflowClient, pipeline_name: str) -> str:
        """The experiment's id, created on first use (by whichever process comes first)."""
        from mlflow.exceptions import MlflowException

        name = self.experiment_name(pipeline_name)
        for _ in range(2):
            experiment = client.get_experiment_by_name(name)
            if experiment is not None:
                if experiment.lifecycle_stage != "active":
                    raise InputError(
                        f"MLflow experiment {name!r} at {self.shown_uri} is deleted; restore it "
                        f"(mlflow experiments restore --experiment-id {experiment.experiment_id})"
                        f" or set another experiment_name on experiment tracker {self.name!r}"
                    )
                return str(experiment.experiment_id)
            try:
                return str(client.create_experiment(name))
            except MlflowException as exc:
                if exc.error_code != "RESOURCE_ALREADY_EXISTS":
                    raise
        raise InputError(f"MLflow experiment {name!r} could not be found nor created")

    @staticmethod
    def _find_parents(client: MlflowClient, experiment_id: str, run_id: UUID) -> list[Run]:
        runs = client.search_runs(
            [experiment_id],
            filter_string=(
                f"tags.`{PIPELINE_RUN_TAG}` = '{run_id}' AND tags.`{KIND_TAG}` = 'pipeline_run'"
            ),
            max_results=100,
        )
        return sorted(runs, key=lambda r: (r.info.start_time or 0, r.info.run_id))

    def _parent(
        self, client: MlflowClient, run_id: UUID, run_name: str, pipeline_name: str
    ) -> _Parent:
        """The pipeline run's MLflow run: found by its tag, or created.

        The driving process creates it before any step starts, so steps elsewhere only
        find it. Should two processes still create one at once, each searches again after
        creating, keeps the oldest and deletes its own if that is not the one.
        """
        cached = self._parents.get(run_id)
        if cached is not None:
            return cached
        experiment_id = self._experiment_id(client, pipeline_name)
        found = self._find_parents(client, experiment_id, run_id)
        if not found:
            tags = {
                PIPELINE_RUN_TAG: str(run_id),
                KIND_TAG: "pipeline_run",
                "stackyard.pipeline_name": pipeline_name,
                "stackyard.pipeline_run_name": run_name,
            }
            mine = client.create_run(experiment_id, run_name=run_name, tags=tags).info.run_id
            found = self._find_parents(client, experiment_id, run_id)
            if found and found[0].info.run_id != mine:
                client.delete_run(mine)
            elif not found:  # not searchable yet: ours it is
                found = [client.get_run(mine)]
        parent = _Parent(experiment_id, found[0].info.run_id)
        self._parents[run_id] = parent
        return parent

    # -- the pipeline run ----------------------------------------------------------------------
    def pipeline_run_started(
        self, store: Store, run: PipelineRunResponse, pipeline_name: str
    ) -> None:
        with self._session(f"start the MLflow run of pipeline run {run.name!r}") as client:
            parent = self._parent(client, run.id, run.name, pipeline_name)
        values: dict[str, Any] = {
            "mlflow_run_id": parent.run_id,
            "mlflow_experiment_id": parent.experiment_id,
            "mlflow_tracking_uri": self.shown_uri,
        }
        url = self.run_url(parent.experiment_id, parent.run_id)
        if url is not None:
            values["experiment_tracker_url"] = url
        store.create(
            "run_metadata",
            {"resource_type": "pipeline_run", "resource_id": run.id, "values": values},
        )

    def pipeline_run_finished(self, store: Store, run: PipelineRunResponse) -> None:
        parent = self._parents.pop(run.id, None)
        if parent is None:
            return
        status = MLFLOW_STATUS.get(run.status, "FAILED")
        try:
            with self._session(f"end the MLflow run of pipeline run {run.name!r}") as client:
                client.set_terminated(parent.run_id, status)
        except Exception as exc:
            sys.stderr.write(f"{exc}; the run's outcome stands\n")

    # -- one step --------------------------------------------------------------------------------
    def _step_tags(self, context: StepContext) -> dict[str, str]:
        return {
            KIND_TAG: "step",
            PIPELINE_RUN_TAG: str(context.run_id),
            "stackyard.pipeline_name": context.pipeline_name,
            "stackyard.pipeline_run_name": context.run_name,
            "stackyard.step_name": context.step_name,
            "stackyard.step_run_id": str(context.step_run_id),
        }

    def _params(self, context: StepContext) -> dict[str, str]:
        prefix = "" if self.config.nested else f"{context.step_name}."
        return {
            f"{prefix}{key}": param_value(value)
            for key, value in (context.step_run.parameters or {}).items()
        }

    @contextmanager
    def step_run(self, context: StepContext) -> Iterator[None]:
        from mlflow.tracking._tracking_service import utils as tracking

        with self._session(f"find the MLflow run of pipeline run {context.run_name!r}") as client:
            parent = self._parent(client, context.run_id, context.run_name, context.pipeline_name)
        variables: dict[str, str | None] = {
            **self._credentials(),
            "MLFLOW_TRACKING_URI": self.tracking_uri,
            # a run the step starts itself goes into this experiment, not MLflow's default
            "MLFLOW_EXPERIMENT_ID": parent.experiment_id,
            "MLFLOW_EXPERIMENT_NAME": None,
            "MLFLOW_RUN_ID": None,  # else mlflow.start_run would resume that run
        }
        previous_uri = getattr(tracking, "_tracking_uri", None)
        autologging = enabled_autologging()
        with environment(variables):
            tracking.set_tracking_uri(self.tracking_uri)
            try:
                with self._active_run(context, parent):
                    yield
            finally:
                disable_new_autologging(autologging)
                tracking.set_tracking_uri(previous_uri)  # type: ignore[arg-type]  # None unsets

    @contextmanager
    def _active_run(self, context: StepContext, parent: _Parent) -> Iterator[None]:
        """The step's MLflow run, active for the block; ended with the step's outcome."""
        import mlflow

        from stackyard.pipelines.context import log_metadata

        with self._session(f"start the MLflow run of step {context.step_name!r}"):
            active = mlflow.active_run()
            if active is not None:
                raise InputError(
                    f"MLflow run {active.info.run_id} is already active in this thread; end it "
                    f"(mlflow.end_run()) before running tracked step {context.step_name!r}"
                )
            if self.config.nested:
                run = mlflow.start_run(
                    experiment_id=parent.experiment_id,
                    run_name=context.step_name,
                    parent_run_id=parent.run_id,
                    tags=self._step_tags(context),
                )
            else:  # the pipeline run's own MLflow run, which stays open for the other steps
                run = mlflow.start_run(run_id=parent.run_id)
        run_id = run.info.run_id
        # the shared run of nested=False goes back to RUNNING: the driver ends it
        own = None if self.config.nested else "RUNNING"
        try:
            with self._session(f"log the parameters of step {context.step_name!r}"):
                params = self._params(context)
                if params:
                    mlflow.log_params(params)
            values: dict[str, Any] = {
                "mlflow_run_id": run_id,
                "mlflow_experiment_id": parent.experiment_id,
                "mlflow_parent_run_id": parent.run_id,
                "mlflow_tracking_uri": self.shown_uri,
            }
            url = self.run_url(parent.experiment_id, run_id)
            if url is not None:
                values["experiment_tracker_url"] = url
            log_metadata(values)
            yield
        except BaseException as exc:
            status = "FAILED" if isinstance(exc, Exception) else "KILLED"
            with suppress(Exception):
                end_runs(run_id, status, own)
            raise
        with self._session(f"end the MLflow run of step {context.step_name!r}"):
            end_runs(run_id, "FINISHED", own)


class MLflowExperimentTrackerFlavor(BaseExperimentTrackerFlavor):
    name: ClassVar[str] = "mlflow"
    integration: ClassVar[str] = "mlflow"
    config_class: ClassVar[builtins.type[StackComponentConfig]] = MLflowExperimentTrackerConfig
    implementation_class: ClassVar[builtins.type[StackComponent]] = MLflowExperimentTracker
