"""Everything that is not part of the submission zip: data, grading helpers, benchmarks, bundler."""
