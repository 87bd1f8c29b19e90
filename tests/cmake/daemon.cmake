# daemon tests
