raise RuntimeError("must never be imported by discovery")
