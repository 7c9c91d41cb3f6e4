"""The two baselines the real tray is measured against (run as scripts by bench/run.py)."""
