"""The standard indicator plugins of riskcore, one module per indicator.

Installed as ``riskcore_plugins`` and registered through the ``riskcore`` entry-point group,
exactly as a third-party plugin would be: disabling one (``RISKCORE_DISABLED_PLUGINS``) or
turning autoload off (``RISKCORE_DISABLE_PLUGIN_AUTOLOAD=1``) removes it like any other.
"""
