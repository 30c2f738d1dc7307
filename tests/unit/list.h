/* list.h -- every unit test, in the order they run (libuv test-list.h).
 * Add one TEST(name) line per `void name(void)` defined in tests/unit/test_*.c. */
TEST(test_exc_hierarchy)
TEST(test_core_seed_order)
TEST(test_core_determinism_and_seek)
TEST(test_scenario_example)
TEST(test_scenario_lowering)
TEST(test_scenario_error_classes)
TEST(test_scenario_syntax_errors)
TEST(test_scenario_positions)
TEST(test_scenario_diag_cap)
TEST(test_scenario_diag_format)
TEST(test_scenario_files)
TEST(test_scenario_never_crashes)
#ifdef LOOPSCOPE_FAILALLOC
TEST(test_scenario_out_of_memory)
#endif
