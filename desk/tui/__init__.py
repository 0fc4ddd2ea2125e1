"""desk's terminal screen (Textual). Entry point: `desk.tui.app.create_app`."""
