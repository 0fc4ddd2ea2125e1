"""Alerts: `[[alerts]]` rules of the form trigger -> notice, judged over plain observations.

    rules = rules_from_settings(settings)            # desk.alerts.rules
    engine = AlertEngine(rules)                      # desk.alerts.engine: debounce, daily cap
    notices = engine.evaluate(await observe(...))    # desk.alerts.observe gathers the facts
    async with alerting(settings) as hook: hook.attach(register, sync_engine)   # desk.sync.alerting

The alerts know nothing of the sync: desk.sync.alerting watches the sync's events and asks them.
"""
