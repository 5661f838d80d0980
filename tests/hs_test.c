/* The counters of hs_test.h: one pair per test program. */
#include "hs_test.h"

int hs_test_passed, hs_test_failed;
