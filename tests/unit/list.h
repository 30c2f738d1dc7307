/* list.h -- every unit test, in the order they run (libuv test-list.h).
 * Add one TEST(name) line per `void name(void)` defined in tests/unit/test_*.c. */
TEST(test_exc_hierarchy)
TEST(test_core_seed_order)
TEST(test_core_determinism_and_seek)
