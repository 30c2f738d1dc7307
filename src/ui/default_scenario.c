/* default_scenario.c -- the built-in scenario the app opens with no file.
 *
 * The seed tutorial's two tasks, byte for byte the text of
 * scenarios/default.json (tests/ui checks that the two agree). Embedded so
 * `loopscope` with no argument works from any directory.
 *
 * Depends on: ui.h.  Used by: app.c.
 */
#include "ui.h"

const char ui_default_scenario[] =
    "{\n"
    "  \"title\": \"Two tasks: create_task only schedules\",\n"
    "  \"about\": \"The tutorial's seed example. create_task() only queues each task's first step, so A and B start after main reaches its await. Press Space to play, the arrow keys to step, ? for help.\",\n"
    "  \"coroutines\": {\n"
    "    \"task_a\": {\"params\": [\"name\"], \"body\": [\n"
    "      {\"print\": \"{name}: Started\"},\n"
    "      {\"sleep\": 2},\n"
    "      {\"print\": \"{name}: Finished after 2s\"}\n"
    "    ]},\n"
    "    \"task_b\": {\"params\": [\"name\"], \"body\": [\n"
    "      {\"print\": \"{name}: Started\"},\n"
    "      {\"sleep\": 1},\n"
    "      {\"print\": \"{name}: Finished after 1s\"}\n"
    "    ]},\n"
    "    \"main\": [\n"
    "      {\"print\": \"Main: Starting tasks...\"},\n"
    "      {\"create_task\": \"task_a\", \"args\": [\"A\"], \"as\": \"t1\"},\n"
    "      {\"create_task\": \"task_b\", \"args\": [\"B\"], \"as\": \"t2\"},\n"
    "      {\"print\": \"Main: All tasks started!\"},\n"
    "      {\"sleep\": 3},\n"
    "      {\"print\": \"Main: Exiting\"}\n"
    "    ]\n"
    "  }\n"
    "}\n";
