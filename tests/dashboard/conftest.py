"""The dashboard's fixtures (defined in `dashboard_support`, beside this file)."""

from dashboard_support import browser, context, isolated_config, page, site

__all__ = ["browser", "context", "isolated_config", "page", "site"]
