/* lklab sweep: not built yet (placeholder; replaced by its issue's work). */
#include "cmd.h"

int cmd_sweep(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cmd_error("sweep", "not built yet");
    return 2;
}
