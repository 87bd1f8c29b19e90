# stats tests
