"""What the notebooks teach with, beyond the methods themselves.

- ``slic``: a step-by-step teaching SLIC in NumPy (notebook 03); use scikit-image's for photos.
- ``as_in_source``: the source tutorial's SeCAM, defects included, to compare with (notebook 04).
- ``architecture``: stage-by-stage shapes and parameter counts, the stem's batch-norm check (notebook 01).
- ``diagrams``: the block and pipeline diagrams.
- ``receptive``: where one cell of the last grid looks and sits (notebook 01).
- ``training``: train small CAM-ready classifiers on the CPU, from scratch or by transfer (notebooks 06, 07).
- ``claims``: the checks behind every sentence of the notebooks that states a result.
- ``timing``: medians of interleaved repetitions, for the notebooks' speed comparisons.
"""

__all__ = ["architecture", "as_in_source", "claims", "diagrams", "receptive", "slic", "timing", "training"]
