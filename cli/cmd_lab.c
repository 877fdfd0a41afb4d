/* lklab lab: not built yet (placeholder; replaced by its issue's work). */
#include "cmd.h"

int cmd_lab(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cmd_error("lab", "not built yet");
    return 2;
}
