/* lklab table: not built yet (placeholder; replaced by its issue's work). */
#include "cmd.h"

int cmd_table(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cmd_error("table", "not built yet");
    return 2;
}
