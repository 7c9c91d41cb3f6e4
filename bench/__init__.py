"""The benchmark of issue 7 (``make bench``): the real tray against the Qt and the stack floor."""
