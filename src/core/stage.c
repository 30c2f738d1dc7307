/* stage.c -- lookups over the stage table in stage.h. Pure; no state. */
#include "stage.h"

typedef struct StageRow {
    const char *name;
    const char *text;
} StageRow;

static const StageRow stage_rows[STAGE__COUNT] = {
    [0] = {"?", ""},
#define STAGE_ROW(id, n, name, text) [n] = {name, text},
    STAGE_TABLE(STAGE_ROW)
#undef STAGE_ROW
};

const char *stage_name(int n)
{
    return (n >= 1 && n <= 7) ? stage_rows[n].name : "?";
}

const char *stage_text(int n)
{
    return (n >= 1 && n <= 7) ? stage_rows[n].text : "";
}
