"""The command-line face: `formgen` (`main`) and its administrative commands (`admin`: keys, audit)."""
