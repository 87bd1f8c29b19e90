# conf tests
