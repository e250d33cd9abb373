"""Developer tools on top of the pipeline: the sample generator, benchmarks and the scale check.

`pipeline/` never imports this package (a test guards it); these modules may import `pipeline`.
"""
