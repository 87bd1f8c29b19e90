# kernel tests
