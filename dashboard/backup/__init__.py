"""Backups: consistent snapshots with a manifest, their checks and the restore (`backup` and `restore` commands)."""
