"""The benchmark: a council-scale data set built through the services, and its measurements.

Not part of the test suite. See bench/README.md.
"""
