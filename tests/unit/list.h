/* list.h -- every unit test, in the order they run (libuv test-list.h).
 * Add one TEST(name) line per `void name(void)` defined in tests/unit/test_*.c. */
TEST(test_exc_hierarchy)
