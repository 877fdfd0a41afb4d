/* lklab latency: not built yet (placeholder; replaced by its issue's work). */
#include "cmd.h"

int cmd_latency(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cmd_error("latency", "not built yet");
    return 2;
}
