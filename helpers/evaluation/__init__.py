"""How good is a saliency map: faithfulness, localisation against ground truth, sanity checks, statistics.

- ``faithfulness``: deletion, insertion, Average Drop and the other model-based scores.
- ``localisation``: boxes, masks, the CAM paper's box test, IoU, pointing game, mass inside.
- ``sanity``: cascading model randomisation and map similarity (Adebayo et al., 2018).
- ``statistics``: bootstrap and Wilson intervals, the exact McNemar test.
"""

__all__ = ["faithfulness", "localisation", "sanity", "statistics"]
