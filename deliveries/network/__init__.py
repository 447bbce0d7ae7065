"""The pickup network, at the bottom of the weekly cycle: pickup points, their schedules and
closures, the distribution days materialised from them, geocoding, and the finder. It imports
only the kernel (marketplace.core) and Oscar; everything above may use it."""
