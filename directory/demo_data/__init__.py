"""Word lists for the fictional demo area (directory.demo_area); a package so wheels carry them."""
