/* lklab plot: not built yet (placeholder; replaced by its issue's work). */
#include "cmd.h"

int cmd_plot(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cmd_error("plot", "not built yet");
    return 2;
}
