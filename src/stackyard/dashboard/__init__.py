"""The web dashboard: server-rendered pages over the same store, users and permissions
as the REST API, mounted at `/` by `stackyard.server.app`.

Pages are Jinja2 templates rendered on the server from plain store rows, with one
small script of our own for what must happen in the browser (selecting a DAG
step, following logs, refreshing runs in progress). Nothing is fetched from
anywhere but this server.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from stackyard.server.context import ServerContext


def mount(app: FastAPI, ctx: ServerContext) -> None:
    """Add every dashboard route to `app` (hidden from the OpenAPI docs)."""
    from stackyard.dashboard import (
        artifacts,
        automation,
        ml_models,
        resources,
        run_detail,
        runs,
        signin,
    )
    from stackyard.dashboard.web import Pages

    pages = Pages(ctx)
    w = pages.wrap
    table: list[tuple[str, Any, list[str]]] = [
        *signin.routes(pages),
        ("/static/{name}", pages.static_endpoint(), ["GET"]),
        ("/favicon.ico", pages.static_endpoint("favicon.ico"), ["GET"]),
        ("/runs", w(runs.runs_page), ["GET"]),
        ("/runs/{run_id}", w(run_detail.run_page), ["GET"]),
        ("/run-steps/{step_id}", w(run_detail.step_redirect), ["GET"]),
        ("/run-steps/{step_id}/logs", w(run_detail.step_logs), ["GET"]),
        ("/compare", w(runs.compare_page), ["GET"]),
        ("/artifacts", w(artifacts.artifacts_page), ["GET"]),
        ("/artifacts/{artifact_id}", w(artifacts.artifact_page), ["GET"]),
        ("/artifact-versions/{version_id}", w(artifacts.version_page), ["GET"]),
        ("/artifact-versions/{version_id}/content", w(artifacts.version_content), ["GET"]),
        ("/artifact-versions/{version_id}/download", w(artifacts.version_download), ["GET"]),
        ("/models", w(ml_models.models_page), ["GET"]),
        ("/models/{model_id}", w(ml_models.model_page), ["GET"]),
        ("/pipelines", w(resources.pipelines_page), ["GET"]),
        ("/pipelines/{pipeline_id}", w(resources.pipeline_page), ["GET"]),
        ("/stacks", w(resources.stacks_page), ["GET"]),
        ("/stacks/{stack_id}", w(resources.stack_page), ["GET"]),
        ("/components", w(resources.components_page), ["GET"]),
        ("/components/{component_id}", w(resources.component_page), ["GET"]),
        ("/flavors", w(resources.flavors_page), ["GET"]),
        ("/flavors/{flavor_id}", w(resources.flavor_page), ["GET"]),
        ("/secrets", w(resources.secrets_page), ["GET"]),
        ("/secrets/{secret_id}", w(resources.secret_page), ["GET"]),
        ("/service-connectors", w(resources.connectors_page), ["GET"]),
        ("/service-connectors/{connector_id}", w(resources.connector_page), ["GET"]),
        ("/schedules", w(automation.schedules_page), ["GET"]),
        ("/schedules/{schedule_id}/active", w(automation.toggle_schedule), ["POST"]),
        ("/run-templates", w(automation.templates_page), ["GET"]),
        ("/run-templates/{template_id}", w(automation.template_page), ["GET"]),
        ("/run-templates/{template_id}/runs", w(automation.run_template), ["POST"]),
        ("/code-repositories", w(resources.repositories_page), ["GET"]),
        ("/code-repositories/{repository_id}", w(resources.repository_page), ["GET"]),
        ("/builds", w(resources.builds_page), ["GET"]),
        ("/builds/{build_id}", w(resources.build_page), ["GET"]),
        ("/users", w(resources.users_page), ["GET"]),
    ]
    for path, endpoint, methods in table:
        app.router.add_route(path, endpoint, methods=methods, include_in_schema=False)


__all__ = ["mount"]
