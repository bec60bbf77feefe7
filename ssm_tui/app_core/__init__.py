"""What the app does, without Textual: sessions it tracks, forwards it runs, fleets it lists."""
