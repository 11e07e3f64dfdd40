"""The neutral event hub: telephony publishes, the web subscribes.

Owns `hub` (LiveHub, the topics). Imports nothing of the product.
"""
