int greeting(void) { return 1; }
