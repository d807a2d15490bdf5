"""Every write to accounts, one module per area: core, quotas, credentials, issuing, photos, lifecycle.
Import from the module (`from accounts.services.quotas import quota_check`)."""
