"""The sample photos, shipped inside the package as ``helpers.sample_images`` (see images/SOURCES.md)."""
