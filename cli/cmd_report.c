/* lklab report: not built yet (placeholder; replaced by its issue's work). */
#include "cmd.h"

int cmd_report(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cmd_error("report", "not built yet");
    return 2;
}
