"""Code the docs show. Every file here is run or checked by the tests (tests/test_demos_*.py),
so what a page shows is what actually happens."""
