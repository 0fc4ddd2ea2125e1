"""One module per section of the monthly report; each exposes `async def section(ctx)`."""
