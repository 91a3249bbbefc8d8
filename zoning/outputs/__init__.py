"""What people look at: zone and block maps, GeoTIFF rasters, HTML / Markdown reports, web maps."""
