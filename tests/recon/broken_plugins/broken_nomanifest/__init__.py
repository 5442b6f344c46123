"""no manifest.json here"""
