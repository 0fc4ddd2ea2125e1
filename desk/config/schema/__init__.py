"""The configuration's shape, one module per group of sections; `settings.DeskSettings`
holds them all. Unknown keys are errors, so a misspelt key never silently falls back to a
default."""
