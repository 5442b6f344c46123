"""bad manifest"""
